package io.novacron.microbench;

import io.novacron.metrics.block.BlockCodec;
import io.novacron.metrics.block.SeriesBlock;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One series' hour as the packer writes it (60 one-a-minute samples, six metrics of the shapes the
 * benchmark generator makes: two-decimal percentages, integer byte rates) encoded into a block, and
 * decoded back as a raw read does: what packing and a packed read pay per series-hour.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BlockCodecBench {
    private SeriesBlock hour;
    private byte[] encoded;

    @Setup
    public void setUp() {
        Random r = new Random(11);
        int n = 60;
        long[] ts = new long[n];
        double[][] v = new double[6][n];
        double cpu = 40;
        for (int i = 0; i < n; i++) {
            ts[i] = 1_732_443_300_000_000L + i * 60_000_000L + (r.nextInt(5) == 0 ? r.nextInt(2000) : 0);
            cpu = Math.max(0, Math.min(100, cpu + r.nextGaussian() * 3));
            v[0][i] = Math.round(cpu * 100) / 100.0;
            v[1][i] = Math.round((50 + r.nextGaussian()) * 100) / 100.0;
            for (int m = 2; m < 6; m++) {
                v[m][i] = r.nextInt(1 << 20);
            }
        }
        hour = SeriesBlock.complete(ts, v);
        encoded = BlockCodec.encode(hour);
    }

    /** The encoded size, reported beside the time (bytes per block; divide by 60 for a sample). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Size {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Benchmark
    public byte[] encode(Size size) {
        byte[] b = BlockCodec.encode(hour);
        size.bytes = b.length;
        return b;
    }

    @Benchmark
    public SeriesBlock decode() {
        return BlockCodec.decode(encoded);
    }
}
