package io.novacron.metrics.block;

/** Operations on decoded blocks (public for bench.LatePathReference, which measures an in-batch rewrite). */
public final class Blocks {
    private Blocks() {
    }

    /**
     * The union of two blocks of one series, in time order. A timestamp in both is one sample:
     * per metric, {@code a}'s value when it has one, else {@code b}'s (a late row fills in
     * metrics of a packed sample; ingestion never stores a metric twice).
     */
    public static SeriesBlock merge(SeriesBlock a, SeriesBlock b) {
        int cols = Math.max(a.columns(), b.columns());
        int na = a.size(), nb = b.size();
        long[] ts = new long[na + nb];
        double[][] v = new double[cols][na + nb];
        boolean[][] present = new boolean[cols][na + nb];
        boolean[] partial = new boolean[cols];
        int i = 0, j = 0, k = 0;
        while (i < na || j < nb) {
            boolean takeA = j >= nb || i < na && a.ts()[i] <= b.ts()[j];
            boolean both = i < na && j < nb && a.ts()[i] == b.ts()[j];
            int ai = takeA ? i : -1, bj = !takeA || both ? j : -1;
            ts[k] = takeA ? a.ts()[i] : b.ts()[j];
            for (int c = 0; c < cols; c++) {
                boolean inA = ai >= 0 && c < a.columns() && a.has(c, ai);
                boolean inB = bj >= 0 && c < b.columns() && b.has(c, bj);
                present[c][k] = inA || inB;
                partial[c] |= !(inA || inB);
                if (inA) {
                    v[c][k] = a.values()[c][ai];
                } else if (inB) {
                    v[c][k] = b.values()[c][bj];
                }
            }
            if (ai >= 0) {
                i++;
            }
            if (bj >= 0) {
                j++;
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
