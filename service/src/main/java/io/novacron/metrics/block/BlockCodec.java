package io.novacron.metrics.block;

/**
 * The byte format of a packed block (the {@code data} column of {@code vm_metric_block} and
 * {@code node_metric_block}, V35). One series, up to a block's span of samples, each column a
 * stream of its own:
 * <pre>
 * byte      format version (1)
 * varint    n, the number of samples (at least 1)
 * varint    number of value columns
 * ts        zig-zag varint t0 (epoch µs); if n > 1 zig-zag varint t1 − t0; then for each
 *           further sample the delta of deltas as a bit code: '0' for 0 (a regular interval),
 *           '10' + 7 bits, '110' + 14, '1110' + 24, '1111' + 64 (zig-zag), byte-aligned at the end
 * column    header byte: presence (bits 0–1: 0 every sample, 1 a bitmap follows, 2 no sample)
 *           and codec (bits 2–3: 0 Gorilla XOR, 1 scaled decimal deltas, 2 scaled decimal Rice);
 *           bitmap: ⌈n/8⌉ bytes, bit i (LSB first) = sample i carries the metric;
 *           then the present values only:
 *             Gorilla XOR: the first value's 64 bits, then per value '0' when equal to the
 *             previous, else '1' and either '0' + the XOR's meaningful bits inside the previous
 *             window, or '1' + 6 bits leading zeros + 6 bits (length − 1) + the meaningful bits
 *             (Pelkonen et al., "Gorilla", VLDB 2015), byte-aligned at the end;
 *             scaled decimal: a byte (scale d in bits 0–3, bit 4: the value is a float), then the
 *             mantissas m = v·10^d as a zig-zag varint and the differences of consecutive ones.
 *             It decodes as m / 10^d (rounded to float when bit 4 is set) and is chosen only
 *             when that gives back every value bit for bit;
 *             scaled decimal Rice: the same mantissas, the header byte (bit 5: residuals from a
 *             base), the base or m[0] as a zig-zag varint, a byte k, then each residual (from the
 *             base, or from the previous mantissa) zig-zagged and Rice-coded with parameter k:
 *             the quotient z >>> k in unary ('1's, then '0'), then the k low bits; a quotient of
 *             24 or more is 24 '1's and the 64 bits of z.
 * </pre>
 * Each column of each block takes whichever of the encodings is shortest: decimal forms win on
 * values that are decimals at heart (percentages with two decimals, byte counts), XOR on values
 * that stay equal or move in their low mantissa bits. Rice codes spend about log2 of a residual's
 * typical size plus two bits per value, where varint groups round every value up to 7-bit steps
 * (a byte rate's residual of ~20 bits takes 24). All are lossless by construction; the encoder
 * verifies the decimal mantissas before choosing a decimal form.
 */
public final class BlockCodec {
    static final int VERSION = 1;
    private static final int ALL = 0, BITMAP = 1, NONE = 2;
    private static final int GORILLA = 0, DECIMAL = 1, DECIMAL_RICE = 2;
    /** Rice codes: a quotient of this many 1-bits or more is an escape followed by the raw 64-bit zig-zag value. */
    private static final int RICE_ESCAPE = 24;
    private static final int MAX_SCALE = 15;
    private static final double[] POW10 = new double[MAX_SCALE + 1];
    /** Mantissas stay within a double's exact integers. */
    private static final double MAX_MANTISSA = 0x1p53;

    static {
        double p = 1;
        for (int d = 0; d <= MAX_SCALE; d++) {
            POW10[d] = p;
            p *= 10;
        }
    }

    private BlockCodec() {
    }

    public static byte[] encode(SeriesBlock block) {
        int n = block.size();
        if (n == 0) {
            throw new IllegalArgumentException("a block holds at least one sample");
        }
        BitStream out = new BitStream(16 + n * (1 + 3 * block.columns()));
        out.writeByte(VERSION);
        out.writeUnsigned(n);
        out.writeUnsigned(block.columns());
        writeTimestamps(out, block.ts());
        for (int c = 0; c < block.columns(); c++) {
            writeColumn(out, block, c);
        }
        return out.toByteArray();
    }

    public static SeriesBlock decode(byte[] data) {
        BitStream in = new BitStream(data, 0);
        int version = in.readByte();
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown block format version " + version);
        }
        int n = Math.toIntExact(in.readUnsigned());
        int columns = Math.toIntExact(in.readUnsigned());
        long[] ts = readTimestamps(in, n);
        double[][] values = new double[columns][n];
        boolean[][] present = new boolean[columns][];
        for (int c = 0; c < columns; c++) {
            present[c] = readColumn(in, n, values[c]);
        }
        return new SeriesBlock(ts, values, present);
    }

    /** Only the timestamps (what a duplicate check needs). */
    public static long[] timestamps(byte[] data) {
        BitStream in = new BitStream(data, 0);
        in.readByte();
        int n = Math.toIntExact(in.readUnsigned());
        in.readUnsigned();
        return readTimestamps(in, n);
    }

    // ---- timestamps: delta of delta

    private static void writeTimestamps(BitStream out, long[] ts) {
        out.writeSigned(ts[0]);
        if (ts.length == 1) {
            return;
        }
        long delta = ts[1] - ts[0]; // wrapping arithmetic on both sides keeps any long exact
        out.writeSigned(delta);
        for (int i = 2; i < ts.length; i++) {
            long d = ts[i] - ts[i - 1];
            long z = BitStream.zigZag(d - delta);
            delta = d;
            if (z == 0) {
                out.writeBit(false);
            } else if (z >>> 7 == 0) { // unsigned: a zig-zag value may use the sign bit
                out.writeBits(0b10, 2);
                out.writeBits(z, 7);
            } else if (z >>> 14 == 0) {
                out.writeBits(0b110, 3);
                out.writeBits(z, 14);
            } else if (z >>> 24 == 0) {
                out.writeBits(0b1110, 4);
                out.writeBits(z, 24);
            } else {
                out.writeBits(0b1111, 4);
                out.writeBits(z, 64);
            }
        }
        out.alignToByte();
    }

    private static long[] readTimestamps(BitStream in, int n) {
        long[] ts = new long[n];
        ts[0] = in.readSigned();
        if (n == 1) {
            return ts;
        }
        long delta = in.readSigned();
        ts[1] = ts[0] + delta;
        for (int i = 2; i < n; i++) {
            long z;
            if (!in.readBit()) {
                z = 0;
            } else if (!in.readBit()) {
                z = in.readBits(7);
            } else if (!in.readBit()) {
                z = in.readBits(14);
            } else if (!in.readBit()) {
                z = in.readBits(24);
            } else {
                z = in.readBits(64);
            }
            delta += BitStream.unZigZag(z);
            ts[i] = ts[i - 1] + delta;
        }
        in.alignToByte();
        return ts;
    }

    // ---- value columns

    private static void writeColumn(BitStream out, SeriesBlock block, int c) {
        int n = block.size();
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (block.has(c, i)) {
                k++;
            }
        }
        double[] v = new double[k];
        for (int i = 0, j = 0; i < n; i++) {
            if (block.has(c, i)) {
                v[j++] = block.values()[c][i];
            }
        }
        int presence = k == n ? ALL : k == 0 ? NONE : BITMAP;
        if (presence == NONE) {
            out.writeByte(NONE);
            return;
        }
        BitStream xor = new BitStream(8 + k * 2);
        writeGorilla(xor, v);
        byte[] best = xorBytes(xor);
        int codec = GORILLA;
        Mantissas m = mantissas(v);
        if (m != null) {
            byte[] deltas = encodeDecimal(m);
            if (deltas.length < best.length) {
                best = deltas;
                codec = DECIMAL;
            }
            byte[] rice = encodeRice(m);
            if (rice.length < best.length) {
                best = rice;
                codec = DECIMAL_RICE;
            }
        }
        out.writeByte(presence | codec << 2);
        if (presence == BITMAP) {
            byte[] bits = new byte[(n + 7) / 8];
            for (int i = 0; i < n; i++) {
                if (block.has(c, i)) {
                    bits[i >>> 3] |= (byte) (1 << (i & 7));
                }
            }
            out.writeBytes(bits);
        }
        out.writeBytes(best);
    }

    private static byte[] xorBytes(BitStream xor) {
        return xor.toByteArray();
    }

    /** Fills {@code into} (absent slots stay 0) and returns the presence, {@code null} when all are present. */
    private static boolean[] readColumn(BitStream in, int n, double[] into) {
        int header = in.readByte();
        int presence = header & 3;
        int codec = (header >>> 2) & 3;
        boolean[] present = null;
        int k = n;
        if (presence == NONE) {
            return new boolean[n];
        }
        if (presence == BITMAP) {
            byte[] bits = in.readBytes((n + 7) / 8);
            present = new boolean[n];
            k = 0;
            for (int i = 0; i < n; i++) {
                present[i] = (bits[i >>> 3] & (1 << (i & 7))) != 0;
                if (present[i]) {
                    k++;
                }
            }
        } else if (presence != ALL) {
            throw new IllegalArgumentException("bad presence mode " + presence);
        }
        double[] v = new double[k];
        if (codec == DECIMAL) {
            readDecimal(in, v);
        } else if (codec == DECIMAL_RICE) {
            readRice(in, v);
        } else if (codec == GORILLA) {
            readGorilla(in, v);
        } else {
            throw new IllegalArgumentException("bad value codec " + codec);
        }
        for (int i = 0, j = 0; i < n; i++) {
            if (present == null || present[i]) {
                into[i] = v[j++];
            }
        }
        return present;
    }

    private static void writeGorilla(BitStream out, double[] v) {
        long prev = Double.doubleToRawLongBits(v[0]);
        out.writeBits(prev, 64);
        int prevLead = -1, prevTrail = 0;
        for (int i = 1; i < v.length; i++) {
            long bits = Double.doubleToRawLongBits(v[i]);
            long x = bits ^ prev;
            prev = bits;
            if (x == 0) {
                out.writeBit(false);
                continue;
            }
            out.writeBit(true);
            int lead = Math.min(63, Long.numberOfLeadingZeros(x));
            int trail = Long.numberOfTrailingZeros(x);
            if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
                out.writeBit(false);
                out.writeBits(x >>> prevTrail, 64 - prevLead - prevTrail);
            } else {
                int meaningful = 64 - lead - trail;
                out.writeBit(true);
                out.writeBits(lead, 6);
                out.writeBits(meaningful - 1, 6);
                out.writeBits(x >>> trail, meaningful);
                prevLead = lead;
                prevTrail = trail;
            }
        }
        out.alignToByte();
    }

    private static void readGorilla(BitStream in, double[] v) {
        long prev = in.readBits(64);
        v[0] = Double.longBitsToDouble(prev);
        int lead = 0, trail = 0;
        for (int i = 1; i < v.length; i++) {
            if (in.readBit()) {
                if (in.readBit()) {
                    lead = (int) in.readBits(6);
                    int meaningful = (int) in.readBits(6) + 1;
                    trail = 64 - lead - meaningful;
                }
                prev ^= in.readBits(64 - lead - trail) << trail;
            }
            v[i] = Double.longBitsToDouble(prev);
        }
        in.alignToByte();
    }

    /** Values as integers m / 10^d: the smallest scale that gives every value back bit for bit. */
    private record Mantissas(long[] m, int d, boolean asFloat) {
        int header(int flags) {
            return d | (asFloat ? 0x10 : 0) | flags;
        }
    }

    /** The mantissas at the smallest exact scale, or {@code null} when no scale gives every value back exactly. */
    private static Mantissas mantissas(double[] v) {
        for (int d = 0; d <= MAX_SCALE; d++) {
            for (int asFloat = 0; asFloat <= 1; asFloat++) {
                long[] m = mantissas(v, d, asFloat == 1);
                if (m != null) {
                    return new Mantissas(m, d, asFloat == 1);
                }
            }
        }
        return null;
    }

    /** Scaled decimal, varint deltas: the header byte, then m[0] and each difference as a zig-zag varint. */
    private static byte[] encodeDecimal(Mantissas mm) {
        long[] m = mm.m;
        BitStream out = new BitStream(2 + m.length * 2);
        out.writeByte(mm.header(0));
        out.writeSigned(m[0]);
        for (int i = 1; i < m.length; i++) {
            out.writeSigned(m[i] - m[i - 1]);
        }
        return out.toByteArray();
    }

    /**
     * Scaled decimal, Rice-coded residuals: the header byte (bit 5: residuals from a base instead
     * of from the previous value), the base (or m[0]) as a zig-zag varint, a byte k, then each
     * residual's zig-zag z as z >>> k in unary ('1's ended by a '0') and its k low bits, or
     * {@link #RICE_ESCAPE} '1's and the 64 bits of z. Residuals from the previous value suit random
     * walks; from the block's median, values that scatter around a level (a rate with noise), whose
     * differences would be wider than the values' own spread. Both are tried, with the best k each.
     */
    private static byte[] encodeRice(Mantissas mm) {
        long[] m = mm.m;
        int n = m.length;
        long[] deltas = new long[Math.max(0, n - 1)];
        for (int i = 1; i < n; i++) {
            deltas[i - 1] = BitStream.zigZag(m[i] - m[i - 1]);
        }
        long[] sorted = m.clone();
        java.util.Arrays.sort(sorted);
        long base = sorted[n / 2];
        long[] centered = new long[n];
        for (int i = 0; i < n; i++) {
            centered[i] = BitStream.zigZag(m[i] - base);
        }
        int kd = bestRiceParameter(deltas), kc = bestRiceParameter(centered);
        boolean fromBase = varintBits(base) + riceBits(centered, kc) < varintBits(m[0]) + riceBits(deltas, kd);
        long[] z = fromBase ? centered : deltas;
        int k = fromBase ? kc : kd;
        BitStream out = new BitStream(4 + n * 3);
        out.writeByte(mm.header(fromBase ? 0x20 : 0));
        out.writeSigned(fromBase ? base : m[0]);
        out.writeByte(k);
        for (long x : z) {
            long q = x >>> k;
            if (q < RICE_ESCAPE) {
                out.writeBits(-1L, (int) q);
                out.writeBit(false);
                out.writeBits(x, k);
            } else {
                out.writeBits(-1L, RICE_ESCAPE);
                out.writeBits(x, 64);
            }
        }
        out.alignToByte();
        return out.toByteArray();
    }

    /** Bits of {@code v} as a zig-zag varint. */
    private static long varintBits(long v) {
        int significant = Long.SIZE - Long.numberOfLeadingZeros(BitStream.zigZag(v));
        return 8L * Math.max(1, (significant + 6) / 7);
    }

    /** Bits of the Rice codes of {@code z} with parameter {@code k}. */
    private static long riceBits(long[] z, int k) {
        long bits = 0;
        for (long x : z) {
            long q = x >>> k;
            bits += q < RICE_ESCAPE ? q + 1 + k : RICE_ESCAPE + 64;
        }
        return bits;
    }

    /** The k with the fewest bits; the cost is convex enough around the mean's bit length to search near it. */
    private static int bestRiceParameter(long[] z) {
        if (z.length == 0) {
            return 0;
        }
        int best = 0;
        long bestBits = Long.MAX_VALUE;
        for (int k = 0; k < 63; k++) {
            long bits = riceBits(z, k);
            if (bits < bestBits) {
                bestBits = bits;
                best = k;
            }
        }
        return best;
    }

    private static void readRice(BitStream in, double[] v) {
        int header = in.readByte();
        int d = header & 0xF;
        boolean asFloat = (header & 0x10) != 0, fromBase = (header & 0x20) != 0;
        long first = in.readSigned();
        int k = in.readByte();
        long m = first;
        for (int i = 0; i < v.length; i++) {
            if (!fromBase && i == 0) {
                v[0] = fromDecimal(first, d, asFloat);
                continue;
            }
            int q = 0;
            while (q < RICE_ESCAPE && in.readBit()) {
                q++;
            }
            long z = q < RICE_ESCAPE ? (long) q << k | in.readBits(k) : in.readBits(64);
            long r = BitStream.unZigZag(z);
            m = fromBase ? first + r : m + r;
            v[i] = fromDecimal(m, d, asFloat);
        }
        in.alignToByte();
    }

    private static long[] mantissas(double[] v, int d, boolean asFloat) {
        long[] m = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            double scaled = v[i] * POW10[d];
            if (!(Math.abs(scaled) < MAX_MANTISSA)) { // also NaN and the infinities
                return null;
            }
            m[i] = Math.round(scaled);
            if (Double.doubleToRawLongBits(fromDecimal(m[i], d, asFloat)) != Double.doubleToRawLongBits(v[i])) {
                return null; // -0.0 too: the mantissa 0 decodes as +0.0
            }
        }
        return m;
    }

    private static double fromDecimal(long m, int d, boolean asFloat) {
        double v = d == 0 ? (double) m : m / POW10[d];
        return asFloat ? (double) (float) v : v;
    }

    private static void readDecimal(BitStream in, double[] v) {
        int header = in.readByte();
        int d = header & 0xF;
        boolean asFloat = (header & 0x10) != 0;
        long m = in.readSigned();
        v[0] = fromDecimal(m, d, asFloat);
        for (int i = 1; i < v.length; i++) {
            m += in.readSigned();
            v[i] = fromDecimal(m, d, asFloat);
        }
    }
}
