package io.novacron.metrics.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** Round trips: every block decodes to the same timestamps and the same value bits. */
class BlockCodecTest {
    private static final long MINUTE = 60_000_000L;
    private static final long T0 = 1_796_000_000_000_000L; // 2026-12 in epoch µs

    @Test
    void random_walks_of_every_shape_round_trip_bit_for_bit() {
        SplittableRandom r = new SplittableRandom(20);
        for (int round = 0; round < 3_000; round++) {
            int n = 1 + r.nextInt(round % 10 == 0 ? 3 : 240);
            long[] ts = timestamps(r, n);
            int columns = 1 + r.nextInt(7);
            double[][] v = new double[columns][n];
            boolean[][] present = new boolean[columns][];
            for (int c = 0; c < columns; c++) {
                DoubleSupplier gen = generator(r, r.nextInt(9));
                for (int i = 0; i < n; i++) {
                    v[c][i] = gen.getAsDouble();
                }
                int mode = r.nextInt(4);
                if (mode == 1 || mode == 2) {
                    present[c] = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        present[c][i] = mode == 1 ? r.nextInt(3) > 0 : false;
                    }
                }
            }
            roundTrip(new SeriesBlock(ts, v, present));
        }
    }

    @Test
    void one_sample_blocks_extremes_signed_zeros_and_nan_round_trip() {
        double[] specials = {0.0, -0.0, Double.NaN, Double.longBitsToDouble(0x7ff8_0000_0000_0abcL), Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
                Double.MIN_NORMAL, 1e15, 9.007199254740993E15, 0.1, 0.3, (double) 45.23f, (double) Float.MAX_VALUE, 1.0 / 3};
        for (double s : specials) {
            roundTrip(SeriesBlock.complete(new long[] {T0}, new double[][] {{s}}));
            roundTrip(SeriesBlock.complete(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}, new double[][] {{s, -s, s}}));
        }
        double[][] all = {specials.clone()};
        long[] ts = new long[specials.length];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = T0 + i * MINUTE;
        }
        roundTrip(SeriesBlock.complete(ts, all));
    }

    @Test
    void regular_minutes_of_constants_cost_about_a_bit_per_timestamp() {
        long[] ts = new long[60];
        double[][] v = new double[6][60];
        for (int i = 0; i < 60; i++) {
            ts[i] = T0 + i * MINUTE;
            for (int c = 0; c < 6; c++) {
                v[c][i] = c * 12.5;
            }
        }
        byte[] data = roundTrip(SeriesBlock.complete(ts, v));
        // header 3 + ts (8 + 1 + 58 bits) + 6 columns of a header, a decimal scale and 60 one-byte deltas at most
        assertThat(data.length).isLessThan(3 + 17 + 6 * 70);
    }

    @Test
    void two_decimal_floats_and_integer_byte_rates_take_the_decimal_codec() {
        SplittableRandom r = new SplittableRandom(7);
        long[] ts = new long[60];
        double[][] v = new double[2][60];
        double cpu = 40;
        for (int i = 0; i < 60; i++) {
            ts[i] = T0 + i * MINUTE;
            cpu = Math.max(0, Math.min(100, cpu + r.nextGaussian()));
            v[0][i] = (float) (Math.round(cpu * 100) / 100.0); // as a real column stores it
            v[1][i] = (double) (long) (200_000 * Math.exp(r.nextGaussian() * 0.35));
        }
        byte[] data = roundTrip(SeriesBlock.complete(ts, v));
        assertThat(data.length).isLessThan(3 + 10 + 2 * (3 + 60 * 3));
    }

    @Test
    void values_scattered_around_a_level_cost_near_their_entropy() {
        // A byte rate with log-normal noise (sigma 0.35) around 200,000 and a percentage with
        // Gaussian noise (sigma 3) around 40: the benchmark generator's shapes. Entropy of the
        // rounded values: log2(sigma * x * sqrt(2 pi e)) = 18.1 bits and log2(300 * 4.13) = 10.3 bits.
        SplittableRandom r = new SplittableRandom(11);
        long[] ts = new long[60];
        double[][] v = new double[2][60];
        for (int i = 0; i < 60; i++) {
            ts[i] = T0 + i * MINUTE;
            v[0][i] = (double) (long) (200_000 * Math.exp(r.nextGaussian() * 0.35));
            v[1][i] = Math.round((40 + 3 * r.nextGaussian()) * 100) / 100.0;
        }
        int timestamps = BlockCodec.encode(SeriesBlock.complete(ts, new double[0][])).length;
        int rate = roundTrip(SeriesBlock.complete(ts, new double[][] {v[0]})).length - timestamps;
        int pct = roundTrip(SeriesBlock.complete(ts, new double[][] {v[1]})).length - timestamps;
        // Varint deltas take 3 and 2 bytes a value; Rice codes about entropy + 1.5 bits.
        assertThat(rate).isLessThanOrEqualTo(60 * 20 / 8 + 12);
        assertThat(pct).isLessThanOrEqualTo(60 * 12 / 8 + 12);
    }

    @Test
    void rare_spikes_escape_the_rice_code_and_come_back_exactly() {
        long[] ts = new long[60];
        double[][] v = new double[1][60];
        for (int i = 0; i < 60; i++) {
            ts[i] = T0 + i * MINUTE;
            v[0][i] = i % 17 == 5 ? 9_007_199_254_740_991.0 : i % 3; // 2^53 - 1 among 0, 1, 2
        }
        v[0][59] = -9_007_199_254_740_991.0;
        int size = roundTrip(SeriesBlock.complete(ts, v)).length;
        assertThat(size).isLessThan(60 * 3);
    }

    private static byte[] roundTrip(SeriesBlock block) {
        byte[] data = BlockCodec.encode(block);
        SeriesBlock back = BlockCodec.decode(data);
        assertThat(back.sameAs(block)).as("round trip of %d samples", block.size()).isTrue();
        assertThat(BlockCodec.timestamps(data)).isEqualTo(block.ts());
        return data;
    }

    /** Regular minutes, jittered, with gaps, or anything at all (also descending and huge). */
    private static long[] timestamps(SplittableRandom r, int n) {
        long[] ts = new long[n];
        int shape = r.nextInt(5);
        long t = shape == 4 ? r.nextLong() : T0 + r.nextLong(1_000_000_000L);
        for (int i = 0; i < n; i++) {
            ts[i] = t;
            t += switch (shape) {
                case 0 -> MINUTE;
                case 1 -> MINUTE + r.nextLong(-2_000_000, 2_000_000); // jitter of a collector
                case 2 -> r.nextInt(10) == 0 ? MINUTE * r.nextInt(1, 600) : MINUTE; // gaps
                case 3 -> 1 + r.nextLong(1L << r.nextInt(1, 40)); // irregular, microseconds to days
                default -> r.nextLong(); // anything, wrapping
            };
        }
        return ts;
    }

    private static DoubleSupplier generator(SplittableRandom r, int shape) {
        double[] s = {r.nextDouble() * 100};
        return switch (shape) {
            case 0 -> () -> s[0]; // constant
            case 1 -> () -> s[0] = Math.max(0, s[0] + r.nextGaussian()); // random walk
            case 2 -> () -> (float) (Math.round((s[0] = Math.max(0, Math.min(100, s[0] + r.nextGaussian()))) * 100) / 100.0);
            case 3 -> () -> r.nextInt(20) == 0 ? 90 + r.nextDouble() * 10 : 5 + r.nextGaussian(); // spikes
            case 4 -> () -> (double) (long) (Math.exp(10 + r.nextDouble() * 5) * Math.exp(r.nextGaussian() * 0.35)); // byte rates
            case 5 -> () -> Double.longBitsToDouble(r.nextLong()); // any bits: NaNs, subnormals, infinities
            case 6 -> () -> r.nextBoolean() ? 0.0 : -0.0;
            case 7 -> () -> r.nextBoolean() ? Double.MAX_VALUE : -Double.MIN_VALUE;
            default -> () -> Math.round(r.nextGaussian() * 1e6) / 1e3; // three decimals, both signs
        };
    }
}
