package io.novacron.microbench;

import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.series.MetricKind;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A day of one series (1,440 one-a-minute samples of six metrics) folded into one aggregate, with
 * and without the p95 sketches, and the sketches' encoding: what compaction pays per series-day.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AggregateBench {
    private static final int SAMPLES = 1440;
    private final double[][] values = new double[SAMPLES][MetricKind.METRICS];
    private Aggregate day;

    @Setup
    public void setUp() {
        Random r = new Random(7);
        for (double[] v : values) {
            v[0] = r.nextDouble() * 100;
            v[1] = 20 + r.nextDouble() * 60;
            for (int m = 2; m < v.length; m++) {
                v[m] = r.nextInt(1 << 24);
            }
        }
        day = fold(true);
    }

    private Aggregate fold(boolean sketches) {
        Aggregate a = new Aggregate(sketches);
        long ts = 1_732_443_300_000_000L;
        for (double[] v : values) {
            a.add(ts, v);
            ts += 60_000_000L;
        }
        return a;
    }

    @Benchmark
    public Aggregate foldWithSketches() {
        return fold(true);
    }

    @Benchmark
    public Aggregate foldWithoutSketches() {
        return fold(false);
    }

    @Benchmark
    public byte[] encodeSketches() {
        return day.encodeSketches();
    }
}
