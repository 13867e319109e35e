package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;

/**
 * The samples of a sorted batch grouped by key (org, series, ts). A batch may hold several
 * samples of one key (Prometheus sends each metric as its own series, a retry repeats a line):
 * the first sample of a key becomes the key's merged sample (its fields are the union; each
 * metric keeps the value of the first sample, in request order, that carried it), and every
 * sample remembers which metrics it contributed. Exactly-once is per (series, ts, metric): a
 * sample is accepted when at least one metric it contributed is stored now.
 */
final class KeyGroups {
    /** The first sample of its key (the one staged and stored). */
    final boolean[] first;
    /** Index of the first sample of sample i's key. */
    final int[] firstIndex;
    /** The metrics sample i gave its key (none when earlier samples of the key carried them all). */
    final int[] contributed;
    /** Distinct keys. */
    final int count;

    private KeyGroups(int size, int count, boolean[] first, int[] firstIndex, int[] contributed) {
        this.first = first;
        this.firstIndex = firstIndex;
        this.contributed = contributed;
        this.count = count;
    }

    /** Groups a batch sorted by key, merging each key's samples into its first one (in place). */
    static KeyGroups merge(SampleBatch b) {
        boolean[] first = new boolean[b.size];
        int[] firstIndex = new int[b.size];
        int[] contributed = new int[b.size];
        int count = 0;
        int f = -1;
        for (int i = 0; i < b.size; i++) {
            boolean starts = i == 0 || b.series[i] != b.series[i - 1] || b.tsMicros[i] != b.tsMicros[i - 1] || b.org[i] != b.org[i - 1];
            if (starts) {
                f = i;
                first[i] = true;
                count++;
                contributed[i] = b.fields[i];
            } else {
                int add = b.fields[i] & ~b.fields[f];
                contributed[i] = add;
                for (int m = 0; m < MetricKind.METRICS; m++) {
                    if ((add & (1 << m)) != 0) {
                        b.values[m][f] = b.values[m][i];
                    }
                }
                b.fields[f] |= add;
            }
            firstIndex[i] = f;
        }
        return new KeyGroups(b.size, count, first, firstIndex, contributed);
    }

    /** The first sample of key (org, series, ts). */
    int firstOf(SampleBatch b, long org, long series, long tsMicros) {
        int i = b.find(org, series, tsMicros);
        if (i < 0) {
            throw new IllegalStateException("stored sample not found in its batch");
        }
        return firstIndex[i];
    }
}
