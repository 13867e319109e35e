package io.novacron.metrics.series;

import io.novacron.db.PgCopyBuffer;
import java.util.Arrays;

/**
 * A mergeable summary of the samples of one series (or organization) in one bucket: count, and
 * per metric sum, min, max and a quantile sketch. Count, sum, min and max merge exactly, so avg,
 * min, max, sum and count over any union of buckets equal the same aggregate over the raw samples.
 *
 * <p><b>p95 error bound.</b> The sketch ({@link QuantileBins}, the DDSketch algorithm with
 * relative accuracy α = {@value #RELATIVE_ACCURACY}) survives merging unchanged. The reported
 * p95 is within ±1% (relative) of the sample value of 0-based rank ⌊0.95·(n−1)⌋ in sorted order
 * (a "lower nearest rank"); zero is exact. The six sketches of a row are stored one after the
 * other as varints in one bytea.
 *
 * <p><b>Partial samples.</b> A sample may lack some metrics (NaN in {@link #add}): {@link #count()}
 * counts samples, {@link #count(int)} the values of one metric, and every per-metric aggregate
 * is over that metric's values only (a metric without values has no avg, min, max or p95).
 *
 * <p><b>Span.</b> The earliest and latest sample time summarized, so a reader can tell whether a
 * window edge that cuts the bucket leaves all of its samples on one side. A row stored before the
 * span was kept reads as {@link #UNKNOWN} (the widest span), and so does anything merged with it.
 */
public final class Aggregate {
    public static final double RELATIVE_ACCURACY = 0.01;
    public static final double P95 = 0.95;
    private static final int M = MetricKind.METRICS;

    /** A sketch mask naming every metric. */
    public static final int ALL_METRICS = (1 << M) - 1;

    /** {@link #first()} of a row whose span is not known. */
    public static final long UNKNOWN = Long.MIN_VALUE;

    long n;
    /** Values per metric (n when every sample carried it). */
    final long[] cnt = new long[M];
    /** Epoch microseconds; the empty aggregate's span is empty (first > last). */
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    final double[] sum = new double[M];
    final double[] min = new double[M];
    final double[] max = new double[M];
    /**
     * Null when the caller does not need quantiles; otherwise one per metric of the sketch mask,
     * null for the others (a read of one metric's p95 builds and decodes one sketch, not six).
     */
    QuantileBins[] sketches;

    /** With the sketches of all six metrics (ingestion, compaction), or none. */
    public Aggregate(boolean withSketches) {
        this(withSketches ? ALL_METRICS : 0);
    }

    /** With sketches for the metrics whose bit is set in {@code sketchMask} (bit m: metric m). */
    public Aggregate(int sketchMask) {
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        if (sketchMask != 0) {
            sketches = new QuantileBins[M];
            for (int m = 0; m < M; m++) {
                if ((sketchMask & (1 << m)) != 0) {
                    sketches[m] = new QuantileBins();
                }
            }
        }
    }
    /** Adds one sample: its time (epoch microseconds) and six values, NaN for a metric the sample lacks. */
    public void add(long tsMicros, double[] v) {
        add(tsMicros, v, true);
    }

    /**
     * Adds values at {@code tsMicros} (NaN: none for that metric); {@code newSample} false when
     * they fill in metrics of a sample already counted (a late partial sample of the same series
     * and time): they count as values of their metrics but not as another sample.
     */
    public void add(long tsMicros, double[] v, boolean newSample) {
        if (newSample) {
            n++;
        }
        first = Math.min(first, tsMicros);
        last = Math.max(last, tsMicros);
        for (int m = 0; m < M; m++) {
            double x = v[m];
            if (x != x) {
                continue;
            }
            cnt[m]++;
            sum[m] += x;
            if (x < min[m]) {
                min[m] = x;
            }
            if (x > max[m]) {
                max[m] = x;
            }
            if (sketches != null && sketches[m] != null) {
                sketches[m].add(x);
            }
        }
    }

    public void merge(Aggregate o) {
        n += o.n;
        first = Math.min(first, o.first);
        last = Math.max(last, o.last);
        for (int m = 0; m < M; m++) {
            cnt[m] += o.cnt[m];
            sum[m] += o.sum[m];
            min[m] = Math.min(min[m], o.min[m]);
            max[m] = Math.max(max[m], o.max[m]);
            if (sketches != null && o.sketches != null && sketches[m] != null && o.sketches[m] != null) {
                sketches[m].merge(o.sketches[m]);
            }
        }
    }

    /**
     * Reads a stored row's parts, decoding the sketches of the metrics in {@code sketchMask} only;
     * {@code sketchBytes} may be null when quantiles are not needed; {@code first}
     * {@link #UNKNOWN} when the row has no span; {@code counts} null when every metric has n values.
     */
    public static Aggregate of(long n, long[] counts, double[] sums, double[] mins, double[] maxs, byte[] sketchBytes, int sketchMask,
                               long first, long last) {
        Aggregate a = new Aggregate(false);
        a.n = n;
        if (counts == null) {
            Arrays.fill(a.cnt, n);
        } else {
            System.arraycopy(counts, 0, a.cnt, 0, M);
        }
        a.first = first;
        a.last = first == UNKNOWN ? Long.MAX_VALUE : last;
        System.arraycopy(sums, 0, a.sum, 0, M);
        System.arraycopy(mins, 0, a.min, 0, M);
        System.arraycopy(maxs, 0, a.max, 0, M);
        if (sketchBytes != null && sketchMask != 0) {
            a.sketches = decodeSketches(sketchBytes, sketchMask);
        }
        return a;
    }

    /** The earliest sample time summarized, or {@link #UNKNOWN}. */
    public long first() {
        return first;
    }

    public long last() {
        return last;
    }

    /** Every summarized sample lies in [lo, hi) (false when the span is unknown). */
    public boolean within(long lo, long hi) {
        return first >= lo && last < hi;
    }

    /** No summarized sample lies in [lo, hi) (false when the span is unknown). */
    public boolean outside(long lo, long hi) {
        return last < lo || first >= hi;
    }

    /** Samples summarized. */
    public long count() {
        return n;
    }

    /** Values of metric {@code m} summarized (at most {@link #count()}). */
    public long count(int m) {
        return cnt[m];
    }

    public double sum(int m) {
        return sum[m];
    }

    public double min(int m) {
        return min[m];
    }

    public double max(int m) {
        return max[m];
    }

    public double avg(int m) {
        return sum[m] / cnt[m];
    }

    /** The p95 of metric {@code m}, within the documented bound; needs sketches. */
    public double p95(int m) {
        return sketches[m].quantile(P95, min[m], max[m]);
    }

    /** The rollup columns {@code n, sums, mins, maxs, sketches}, in that order, into a COPY row. */
    public void copyColumns(PgCopyBuffer buf) {
        buf.int8(n).float8Array(sum).float8Array(min).float8Array(max).bytea(encodeSketches());
    }

    /** The rollup column {@code counts} into a COPY row: NULL when every metric has n values (V32). */
    public void copyCounts(PgCopyBuffer buf) {
        for (int m = 0; m < M; m++) {
            if (cnt[m] != n) {
                buf.int8Array(cnt);
                return;
            }
        }
        buf.nullField();
    }

    public byte[] encodeSketches() {
        Varints out = new Varints(16 * M);
        for (int m = 0; m < M; m++) {
            sketches[m].encode(out);
        }
        return out.toByteArray();
    }

    static QuantileBins[] decodeSketches(byte[] bytes, int sketchMask) {
        Varints in = new Varints(bytes);
        QuantileBins[] result = new QuantileBins[M];
        for (int m = 0; m < M && (sketchMask >>> m) != 0; m++) {
            if ((sketchMask & (1 << m)) != 0) {
                result[m] = QuantileBins.decode(in);
            } else {
                QuantileBins.skip(in);
            }
        }
        return result;
    }
}
