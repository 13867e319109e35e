package io.novacron.metrics.rollup;

import com.datadoghq.sketch.ddsketch.DDSketch;
import com.datadoghq.sketch.ddsketch.DDSketches;
import com.datadoghq.sketch.ddsketch.encoding.ByteArrayInput;
import com.datadoghq.sketch.ddsketch.encoding.GrowingByteArrayOutput;
import com.datadoghq.sketch.ddsketch.store.UnboundedSizeDenseStore;
import io.novacron.metrics.ingest.MetricKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A mergeable summary of the samples of one series (or organization) in one bucket: count, and
 * per metric sum, min, max and a DDSketch. Count, sum, min and max merge exactly, so avg, min,
 * max, sum and count over any union of buckets equal the same aggregate over the raw samples.
 *
 * <p><b>p95 error bound.</b> DDSketch with relative accuracy {@value #RELATIVE_ACCURACY} maps
 * each value to a logarithmic bin; merging adds bin counts, so a merged sketch is identical to
 * one built from all the values. The reported quantile q is within ±1% (relative) of the sample
 * value of 0-based rank ⌊q·(n−1)⌋ in sorted order (a "lower nearest rank"); zero is exact.
 * Sketches are serialized with the library's own compact encoding (bytea), one after the other,
 * each prefixed with its length.
 */
public final class Aggregate {
    public static final double RELATIVE_ACCURACY = 0.01;
    public static final double P95 = 0.95;
    private static final int M = MetricKind.METRICS;

    long n;
    final double[] sum = new double[M];
    final double[] min = new double[M];
    final double[] max = new double[M];
    /** Null when the caller does not need quantiles (saves the sketch work on reads without p95). */
    DDSketch[] sketches;

    public Aggregate(boolean withSketches) {
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        if (withSketches) {
            sketches = new DDSketch[M];
            for (int m = 0; m < M; m++) {
                sketches[m] = newSketch();
            }
        }
    }

    static DDSketch newSketch() {
        return DDSketches.unboundedDense(RELATIVE_ACCURACY);
    }

    /** Adds one sample's six values. */
    public void add(double[] v) {
        n++;
        for (int m = 0; m < M; m++) {
            double x = v[m];
            sum[m] += x;
            if (x < min[m]) {
                min[m] = x;
            }
            if (x > max[m]) {
                max[m] = x;
            }
            if (sketches != null) {
                sketches[m].accept(x);
            }
        }
    }

    public void merge(Aggregate o) {
        n += o.n;
        for (int m = 0; m < M; m++) {
            sum[m] += o.sum[m];
            min[m] = Math.min(min[m], o.min[m]);
            max[m] = Math.max(max[m], o.max[m]);
            if (sketches != null && o.sketches != null) {
                sketches[m].mergeWith(o.sketches[m]);
            }
        }
    }

    /** Reads a stored row's parts; {@code sketchBytes} may be null when quantiles are not needed. */
    public static Aggregate of(long n, double[] sums, double[] mins, double[] maxs, byte[] sketchBytes) {
        Aggregate a = new Aggregate(false);
        a.n = n;
        System.arraycopy(sums, 0, a.sum, 0, M);
        System.arraycopy(mins, 0, a.min, 0, M);
        System.arraycopy(maxs, 0, a.max, 0, M);
        if (sketchBytes != null) {
            a.sketches = decodeSketches(sketchBytes);
        }
        return a;
    }

    public long count() {
        return n;
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

    public double[] sums() {
        return sum;
    }

    public double[] mins() {
        return min;
    }

    public double[] maxs() {
        return max;
    }

    public double avg(int m) {
        return sum[m] / n;
    }

    /** The p95 of metric {@code m}, within the documented bound; needs sketches. */
    public double p95(int m) {
        return sketches[m].getValueAtQuantile(P95);
    }

    public byte[] encodeSketches() {
        GrowingByteArrayOutput buf = GrowingByteArrayOutput.withInitialCapacity(64);
        int[] ends = new int[M];
        try {
            for (int m = 0; m < M; m++) {
                sketches[m].encode(buf, false);
                ends[m] = buf.numWrittenBytes();
            }
        } catch (IOException e) {
            throw new IllegalStateException("sketch encoding failed", e);
        }
        ByteBuffer out = ByteBuffer.allocate(4 * M + ends[M - 1]);
        int start = 0;
        for (int m = 0; m < M; m++) {
            out.putInt(ends[m] - start);
            out.put(buf.backingArray(), start, ends[m] - start);
            start = ends[m];
        }
        return out.array();
    }

    static DDSketch[] decodeSketches(byte[] bytes) {
        DDSketch[] result = new DDSketch[M];
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            for (int m = 0; m < M; m++) {
                int len = in.getInt();
                result[m] = DDSketch.decode(ByteArrayInput.wrap(bytes, in.position(), len), UnboundedSizeDenseStore::new);
                in.position(in.position() + len);
            }
        } catch (IOException e) {
            throw new IllegalStateException("corrupt stored sketch", e);
        }
        return result;
    }
}
