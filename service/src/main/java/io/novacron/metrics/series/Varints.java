package io.novacron.metrics.series;

import java.util.Arrays;

/** LEB128 varints (zigzag for signed), the compact encoding of stored sketches. */
final class Varints {
    private byte[] buf;
    private int pos;

    Varints(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    Varints(byte[] data) {
        buf = data;
    }

    void writeUnsigned(long v) {
        if (pos + 10 > buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2 + 10);
        }
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
    }

    void writeSigned(long v) {
        writeUnsigned((v << 1) ^ (v >> 63));
    }

    long readUnsigned() {
        long v = 0;
        int shift = 0;
        while (true) {
            byte b = buf[pos++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
            shift += 7;
        }
    }

    long readSigned() {
        long u = readUnsigned();
        return (u >>> 1) ^ -(u & 1);
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }
}
