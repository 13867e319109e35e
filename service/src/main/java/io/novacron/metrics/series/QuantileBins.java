package io.novacron.metrics.series;

import java.util.Arrays;

/**
 * A DDSketch-style quantile sketch for non-negative values (Masson, Rim, Lee: "DDSketch", VLDB
 * 2019): value v > 0 goes to the logarithmic bin i = ⌈log_γ v⌉ with γ = (1+α)/(1−α), zeros are
 * counted apart. Merging adds bin counts, so a merged sketch equals the sketch of all values and
 * the error bound survives any number of merges. The quantile q is read at 0-based rank
 * ⌊q·(n−1)⌋ and answered with the bin's midpoint 2γ^i/(γ+1), which is within a relative α of
 * every value of the bin, so of the true sample value at that rank; clamped to [min, max].
 *
 * <p>Why not the library's DDSketch (com.datadoghq:sketches-java, same algorithm and bound):
 * ingestion builds six sketches per 5-minute partial of a series, usually of five values each;
 * the library's dense stores and encoding cost ≈ 15 µs per sketch in the ingest benchmark, more
 * than the merge into the raw table. Here a sketch is two primitive arrays and a varint encoding.
 */
final class QuantileBins {
    static final double ALPHA = Aggregate.RELATIVE_ACCURACY;
    private static final double GAMMA = (1 + ALPHA) / (1 - ALPHA);
    private static final double LOG_GAMMA = Math.log(GAMMA);
    /** Values below this count as zero (far below any metric's resolution). */
    private static final double MIN_POSITIVE = 1e-9;

    private long zeros;
    private int[] idx = new int[8];
    private long[] cnt = new long[8];
    private int len;
    private boolean sorted = true;

    void add(double v) {
        if (v < MIN_POSITIVE) {
            zeros++;
            return;
        }
        int i = (int) Math.ceil(Math.log(v) / LOG_GAMMA);
        if (len > 0 && idx[len - 1] == i) {
            cnt[len - 1]++;
            return;
        }
        if (len > 0 && idx[len - 1] > i) {
            sorted = false;
        }
        append(i, 1);
    }

    void merge(QuantileBins o) {
        o.normalize();
        normalize();
        zeros += o.zeros;
        int[] ni = new int[len + o.len];
        long[] nc = new long[len + o.len];
        int a = 0, b = 0, n = 0;
        while (a < len || b < o.len) {
            if (b == o.len || (a < len && idx[a] < o.idx[b])) {
                ni[n] = idx[a];
                nc[n++] = cnt[a++];
            } else if (a == len || o.idx[b] < idx[a]) {
                ni[n] = o.idx[b];
                nc[n++] = o.cnt[b++];
            } else {
                ni[n] = idx[a];
                nc[n++] = cnt[a++] + o.cnt[b++];
            }
        }
        idx = ni;
        cnt = nc;
        len = n;
    }

    /** The value at 0-based rank ⌊q·(n−1)⌋, within a relative {@link #ALPHA}; clamped to [min, max]. */
    double quantile(double q, double min, double max) {
        normalize();
        long n = zeros;
        for (int k = 0; k < len; k++) {
            n += cnt[k];
        }
        double rank = q * (n - 1);
        if (rank < zeros) {
            return 0;
        }
        long cumulative = zeros;
        for (int k = 0; k < len; k++) {
            cumulative += cnt[k];
            if (cumulative > rank) {
                double v = 2 * Math.pow(GAMMA, idx[k]) / (GAMMA + 1);
                return Math.max(min, Math.min(max, v));
            }
        }
        return max;
    }

    void encode(Varints out) {
        normalize();
        out.writeUnsigned(zeros);
        out.writeUnsigned(len);
        int prev = 0;
        for (int k = 0; k < len; k++) {
            out.writeSigned(idx[k] - prev);
            prev = idx[k];
            out.writeUnsigned(cnt[k]);
        }
    }

    static QuantileBins decode(Varints in) {
        QuantileBins b = new QuantileBins();
        b.zeros = in.readUnsigned();
        int n = (int) in.readUnsigned();
        b.idx = new int[Math.max(1, n)];
        b.cnt = new long[Math.max(1, n)];
        int prev = 0;
        for (int k = 0; k < n; k++) {
            prev += (int) in.readSigned();
            b.idx[k] = prev;
            b.cnt[k] = in.readUnsigned();
        }
        b.len = n;
        return b;
    }

    /** Moves {@code in} past one encoded sketch without building it. */
    static void skip(Varints in) {
        in.readUnsigned();
        long n = in.readUnsigned();
        for (long k = 0; k < 2 * n; k++) {
            in.readUnsigned(); // zigzag-signed index deltas are read the same way
        }
    }

    private void append(int i, long c) {
        if (len == idx.length) {
            idx = Arrays.copyOf(idx, len * 2);
            cnt = Arrays.copyOf(cnt, len * 2);
        }
        idx[len] = i;
        cnt[len++] = c;
    }

    /** Sorts bins by index and folds equal ones (values arrive in time order, not value order). */
    private void normalize() {
        if (sorted) {
            return;
        }
        long[] packed = new long[len];
        for (int k = 0; k < len; k++) {
            packed[k] = ((long) idx[k] << 32) | k;
        }
        Arrays.sort(packed);
        int[] ni = new int[len];
        long[] nc = new long[len];
        int n = 0;
        for (long p : packed) {
            int k = (int) p;
            if (n > 0 && ni[n - 1] == idx[k]) {
                nc[n - 1] += cnt[k];
            } else {
                ni[n] = idx[k];
                nc[n++] = cnt[k];
            }
        }
        idx = ni;
        cnt = nc;
        len = n;
        sorted = true;
    }
}
