package io.novacron.metrics.block;

import java.util.Arrays;

/**
 * The samples of one series in one block, column by column: {@code ts[i]} (epoch microseconds,
 * strictly increasing) and {@code values[c][i]}. {@code present[c]} marks which samples carry
 * metric {@code c} ({@code null}: all of them); an absent value is not a zero, and its slot in
 * {@code values[c]} is meaningless. Values are doubles: a {@code real} column's float widens to
 * a double exactly, and the codec keeps every bit (−0.0 and NaN included).
 */
public record SeriesBlock(long[] ts, double[][] values, boolean[][] present) {

    public SeriesBlock {
        for (double[] col : values) {
            if (col.length != ts.length) {
                throw new IllegalArgumentException("column of " + col.length + " values for " + ts.length + " timestamps");
            }
        }
        if (present.length != values.length) {
            throw new IllegalArgumentException("presence for " + present.length + " of " + values.length + " columns");
        }
        for (boolean[] p : present) {
            if (p != null && p.length != ts.length) {
                throw new IllegalArgumentException("presence of " + p.length + " samples for " + ts.length + " timestamps");
            }
        }
    }

    /** A block where every sample carries every metric. */
    public static SeriesBlock complete(long[] ts, double[][] values) {
        return new SeriesBlock(ts, values, new boolean[values.length][]);
    }

    public int size() {
        return ts.length;
    }

    public int columns() {
        return values.length;
    }

    public boolean has(int column, int sample) {
        boolean[] p = present[column];
        return p == null || p[sample];
    }

    /** Same samples, same bits (absent slots ignored; an all-true presence equals {@code null}). */
    public boolean sameAs(SeriesBlock o) {
        if (!Arrays.equals(ts, o.ts) || columns() != o.columns()) {
            return false;
        }
        for (int c = 0; c < columns(); c++) {
            for (int i = 0; i < ts.length; i++) {
                if (has(c, i) != o.has(c, i)) {
                    return false;
                }
                if (has(c, i) && Double.doubleToRawLongBits(values[c][i]) != Double.doubleToRawLongBits(o.values[c][i])) {
                    return false;
                }
            }
        }
        return true;
    }
}
