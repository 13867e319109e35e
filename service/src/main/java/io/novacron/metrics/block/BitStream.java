package io.novacron.metrics.block;

import java.util.Arrays;

/**
 * A growable byte buffer written and read both as bytes (LEB128 varints, zig-zag for signed) and
 * as bits (most significant first). A bit run is closed with {@link #alignToByte} before bytes
 * follow, so every column stream of a block starts on a byte.
 */
final class BitStream {
    private byte[] buf;
    /** Position in bits. */
    private long bit;

    BitStream(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    BitStream(byte[] data, int offset) {
        buf = data;
        bit = (long) offset * 8;
    }

    int bytePosition() {
        return (int) ((bit + 7) >>> 3);
    }

    void alignToByte() {
        bit = (bit + 7) & ~7L;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, bytePosition());
    }

    private void ensure(int moreBytes) {
        int need = bytePosition() + moreBytes + 1;
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    // ---- bytes

    void writeByte(int v) {
        alignToByte();
        ensure(1);
        buf[(int) (bit >>> 3)] = (byte) v;
        bit += 8;
    }

    int readByte() {
        alignToByte();
        int v = buf[(int) (bit >>> 3)] & 0xFF;
        bit += 8;
        return v;
    }

    void writeBytes(byte[] b) {
        alignToByte();
        ensure(b.length);
        System.arraycopy(b, 0, buf, (int) (bit >>> 3), b.length);
        bit += (long) b.length * 8;
    }

    byte[] readBytes(int n) {
        alignToByte();
        int at = (int) (bit >>> 3);
        bit += (long) n * 8;
        return Arrays.copyOfRange(buf, at, at + n);
    }

    void writeUnsigned(long v) {
        alignToByte();
        ensure(10);
        int p = (int) (bit >>> 3);
        while ((v & ~0x7FL) != 0) {
            buf[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[p++] = (byte) v;
        bit = (long) p * 8;
    }

    long readUnsigned() {
        alignToByte();
        int p = (int) (bit >>> 3);
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = buf[p++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                bit = (long) p * 8;
                return v;
            }
            shift += 7;
        }
    }

    void writeSigned(long v) {
        writeUnsigned(zigZag(v));
    }

    long readSigned() {
        return unZigZag(readUnsigned());
    }

    static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unZigZag(long u) {
        return (u >>> 1) ^ -(u & 1);
    }

    // ---- bits

    void writeBit(boolean one) {
        ensure(1);
        if (one) {
            buf[(int) (bit >>> 3)] |= (byte) (0x80 >>> (bit & 7));
        } else {
            buf[(int) (bit >>> 3)] &= (byte) ~(0x80 >>> (bit & 7));
        }
        bit++;
    }

    boolean readBit() {
        boolean one = (buf[(int) (bit >>> 3)] & (0x80 >>> (bit & 7))) != 0;
        bit++;
        return one;
    }

    /** Writes the low {@code count} bits of {@code v} (0 to 64), most significant first. */
    void writeBits(long v, int count) {
        ensure(9);
        for (int i = count - 1; i >= 0; i--) {
            writeBit(((v >>> i) & 1) != 0);
        }
    }

    long readBits(int count) {
        long v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 1) | (readBit() ? 1 : 0);
        }
        return v;
    }
}
