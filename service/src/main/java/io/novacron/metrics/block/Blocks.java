package io.novacron.metrics.block;

/** Operations on decoded blocks. */
final class Blocks {
    private Blocks() {
    }

    /**
     * The union of two blocks of one series, in time order. A timestamp in both keeps {@code a}'s
     * sample (ingestion never lets that happen; the packer must not lose either way).
     */
    static SeriesBlock merge(SeriesBlock a, SeriesBlock b) {
        int cols = Math.max(a.columns(), b.columns());
        int na = a.size(), nb = b.size();
        long[] ts = new long[na + nb];
        double[][] v = new double[cols][na + nb];
        boolean[][] present = new boolean[cols][na + nb];
        boolean[] partial = new boolean[cols];
        int i = 0, j = 0, k = 0;
        while (i < na || j < nb) {
            SeriesBlock from;
            int at;
            if (j >= nb || i < na && a.ts()[i] <= b.ts()[j]) {
                if (j < nb && i < na && a.ts()[i] == b.ts()[j]) {
                    j++;
                }
                from = a;
                at = i++;
            } else {
                from = b;
                at = j++;
            }
            ts[k] = from.ts()[at];
            for (int c = 0; c < cols; c++) {
                boolean has = c < from.columns() && from.has(c, at);
                present[c][k] = has;
                partial[c] |= !has;
                if (has) {
                    v[c][k] = from.values()[c][at];
                }
            }
            k++;
        }
        long[] tsOut = java.util.Arrays.copyOf(ts, k);
        double[][] vOut = new double[cols][];
        boolean[][] pOut = new boolean[cols][];
        for (int c = 0; c < cols; c++) {
            vOut[c] = java.util.Arrays.copyOf(v[c], k);
            pOut[c] = partial[c] ? java.util.Arrays.copyOf(present[c], k) : null;
        }
        return new SeriesBlock(tsOut, vOut, pOut);
    }
}
