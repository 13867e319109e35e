package io.novacron.bench;

import java.util.SplittableRandom;

/**
 * The metric values of a dataset, computed on demand from (series, step): nothing is stored,
 * and any sample can be regenerated alone. CPU follows a daily rhythm (peak in the series' local
 * afternoon) plus Gaussian noise plus occasional spikes to 90–100% lasting minutes; memory drifts
 * slowly around a per-series level; disk and network rates follow CPU with log-normal noise.
 */
public final class SampleGenerator {
    /** Probability that a series spikes in a given hour. */
    static final double SPIKE_PER_HOUR = 0.04;

    public record VmSample(long vmId, long tsMillis, double cpuUsage, double memoryUsage, long diskReadBps,
                           long diskWriteBps, long netRxBps, long netTxBps) {
    }

    public record NodeSample(long nodeId, long tsMillis, double cpuUsage, double memoryUsage, double diskUsage,
                             double load1m, long netRxBps, long netTxBps) {
    }

    private final long seed;
    private final long startMillis;
    private final int stepSeconds;

    /** @param endMillis the timestamp of the last step (the dataset's anchor). */
    public SampleGenerator(long seed, long endMillis, int steps, int stepSeconds) {
        this.seed = seed;
        this.stepSeconds = stepSeconds;
        this.startMillis = endMillis - (long) (steps - 1) * stepSeconds * 1000;
    }

    public long tsMillis(int step) {
        return startMillis + (long) step * stepSeconds * 1000;
    }

    public VmSample vm(long vmId, int step) {
        SplittableRandom p = Streams.of(seed, Streams.VM_PROFILE, vmId);
        double base = 5 + p.nextDouble() * 45, amplitude = 0.2 + p.nextDouble() * 0.6, phase = p.nextDouble() * 6 - 3;
        double memBase = 20 + p.nextDouble() * 65, ioScale = Math.exp(10 + p.nextDouble() * 5), netScale = Math.exp(11 + p.nextDouble() * 5);
        long ts = tsMillis(step);
        SplittableRandom r = Streams.of(seed, Streams.VM_SAMPLE, vmId, step);
        double cpu = spiking(Streams.VM_SAMPLE, vmId, ts) ? 90 + r.nextDouble() * 10
                : clamp(base * (1 + amplitude * diurnal(ts, phase)) + gaussian(r) * base * 0.12);
        double mem = clamp(memBase + 4 * Math.sin(ts / 3_600_000.0 / 5 + phase) + gaussian(r));
        double load = 0.3 + cpu / 100;
        return new VmSample(vmId, ts, round2(cpu), round2(mem),
                (long) (ioScale * load * logNoise(r)), (long) (ioScale * 0.6 * load * logNoise(r)),
                (long) (netScale * load * logNoise(r)), (long) (netScale * 0.8 * load * logNoise(r)));
    }

    public NodeSample node(long nodeId, int step) {
        SplittableRandom p = Streams.of(seed, Streams.NODE_PROFILE, nodeId);
        double base = 25 + p.nextDouble() * 35, phase = p.nextDouble() * 4 - 2, memBase = 50 + p.nextDouble() * 35;
        double diskBase = 30 + p.nextDouble() * 40, cores = 32 + p.nextInt(4) * 32, netScale = Math.exp(16 + p.nextDouble() * 3);
        long ts = tsMillis(step);
        SplittableRandom r = Streams.of(seed, Streams.NODE_SAMPLE, nodeId, step);
        double cpu = spiking(Streams.NODE_SAMPLE, nodeId, ts) ? 85 + r.nextDouble() * 15
                : clamp(base * (1 + 0.4 * diurnal(ts, phase)) + gaussian(r) * 3);
        double disk = clamp(diskBase + (ts - startMillis) / 86_400_000.0 * 0.5);
        return new NodeSample(nodeId, ts, round2(cpu), round2(clamp(memBase + gaussian(r))), round2(disk),
                round2(cores * cpu / 100 * (0.8 + 0.4 * r.nextDouble())),
                (long) (netScale * (0.3 + cpu / 100) * logNoise(r)), (long) (netScale * 0.7 * (0.3 + cpu / 100) * logNoise(r)));
    }

    /** sin-shaped daily rhythm in [-1, 1], peaking at 15:00 UTC shifted by the series' phase (hours). */
    private static double diurnal(long ts, double phaseHours) {
        double hourOfDay = (ts / 3_600_000.0) % 24;
        return Math.sin(2 * Math.PI * (hourOfDay - 9 + phaseHours) / 24);
    }

    /** Whether a spike (start minute and 2–15 minute duration drawn per series and hour) covers ts. */
    private boolean spiking(long kind, long id, long ts) {
        long hour = Math.floorDiv(ts, 3_600_000L);
        for (long h = hour - 1; h <= hour; h++) {
            long bits = Streams.mix(seed, Streams.SPIKE, kind, id, h);
            if ((bits >>> 11) * 0x1.0p-53 < SPIKE_PER_HOUR) {
                long start = h * 3_600_000L + Long.remainderUnsigned(bits, 60) * 60_000L;
                long end = start + (2 + ((bits >>> 32) & 0xFFFF) % 14) * 60_000L;
                if (ts >= start && ts < end) {
                    return true;
                }
            }
        }
        return false;
    }

    private static double gaussian(SplittableRandom r) {
        return r.nextGaussian(); // the JDK's ziggurat: no log/sqrt/cos per draw
    }

    private static double logNoise(SplittableRandom r) {
        return Math.exp(gaussian(r) * 0.35);
    }

    private static double clamp(double pct) {
        return Math.max(0, Math.min(100, pct));
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
