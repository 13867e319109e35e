package io.novacron.bench;

import java.util.SplittableRandom;

/**
 * Seeds for the generator's independent random streams. Every stream (orgs, users, nodes, VMs,
 * one per sample) is a {@link SplittableRandom} seeded from the dataset seed and the stream's
 * coordinates, so any part of a dataset can be regenerated alone and gives the same rows.
 */
final class Streams {
    static final long ORGS = 1, USERS = 2, NODES = 3, VMS = 4, VM_SAMPLE = 5, NODE_SAMPLE = 6, VM_PROFILE = 7,
            NODE_PROFILE = 8, SPIKE = 9, DELIVERY = 10;

    private Streams() {
    }

    static SplittableRandom of(long seed, long... coordinates) {
        return new SplittableRandom(mix(seed, coordinates));
    }

    /** A well-mixed 64-bit hash of the seed and coordinates (SplitMix64 finalizer per step). */
    static long mix(long seed, long... coordinates) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (long c : coordinates) {
            h = fmix(h ^ fmix(c + 0x632BE59BD9B4E019L));
        }
        return fmix(h);
    }

    private static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
