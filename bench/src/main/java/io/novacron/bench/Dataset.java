package io.novacron.bench;

import io.novacron.config.ConfigException;
import java.util.Locale;

/**
 * The sizes of a benchmark dataset (BENCHMARK.md "Datasets"). Metric series cover
 * {@code hours} hours at one sample per {@code stepSeconds} for {@code metricVms} of the VMs
 * (every {@link #metricStride()}-th one) and for every node.
 */
public record Dataset(String name, int orgs, int users, int nodes, int vms, int metricVms, int hours, int stepSeconds) {

    public Dataset {
        if (orgs < 1 || users < orgs || nodes < 1 || vms < orgs || metricVms < 1 || metricVms > vms
                || hours < 1 || stepSeconds < 1) {
            throw new IllegalArgumentException("inconsistent dataset " + name + ": orgs=" + orgs + " users=" + users
                    + " nodes=" + nodes + " vms=" + vms + " metricVms=" + metricVms + " hours=" + hours);
        }
    }

    public static final Dataset SMALL = new Dataset("small", 10, 100, 50, 2_000, 2_000, 24, 60);
    public static final Dataset MEDIUM = new Dataset("medium", 100, 1_000, 500, 100_000, 20_000, 24, 60);
    public static final Dataset LARGE = new Dataset("large", 1_000, 10_000, 5_000, 1_000_000, 100_000, 24, 60);
    /** The CI smoke slice: the shape of {@code small} on a few hundred VMs and two hours of samples. */
    public static final Dataset SMOKE = new Dataset("smoke", 10, 30, 10, 300, 100, 2, 60);

    /** Resolves a dataset by name (small, medium, large, smoke). */
    public static Dataset named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "small" -> SMALL;
            case "medium" -> MEDIUM;
            case "large" -> LARGE;
            case "smoke" -> SMOKE;
            default -> throw new ConfigException("unknown dataset '" + name + "': expected small, medium or large");
        };
    }

    /** Every {@code metricStride()}-th VM (by generation index) reports samples. */
    public int metricStride() {
        return vms / metricVms;
    }

    public int steps() {
        return hours * 3600 / stepSeconds;
    }

    public long vmSamples() {
        return (long) metricVms * steps();
    }

    public long nodeSamples() {
        return (long) nodes * steps();
    }
}
