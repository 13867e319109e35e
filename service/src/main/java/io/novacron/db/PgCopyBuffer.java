package io.novacron.db;

import java.io.ByteArrayInputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.PGConnection;

/**
 * A PostgreSQL binary COPY stream ({@code COPY ... FROM STDIN (FORMAT binary)}) for the few
 * column types the metric tables use, encoded into one growing byte array. Binary COPY skips the
 * server's text parsing of every number and timestamp, which is where text COPY spends its time
 * (FACTS.md: binary 1.2 M rows/s at 100 k rows against 0.42 M for text).
 *
 * <p>Format (PostgreSQL docs, COPY "Binary Format"): the 11-byte signature, flags and header
 * extension length; per tuple an int16 field count and per field an int32 length and the value
 * in network byte order; the trailer int16 -1.
 */
public final class PgCopyBuffer {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** Microseconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01T00:00:00Z. */
    public static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;
    private static final int FLOAT8_OID = 701;
    private static final int INT8_OID = 20;

    private byte[] buf;
    private int len;

    public PgCopyBuffer(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
        write(SIGNATURE);
        int32(0);
        int32(0);
    }

    public PgCopyBuffer startRow(int fields) {
        int16(fields);
        return this;
    }

    public PgCopyBuffer int8(long v) {
        int32(8);
        int64(v);
        return this;
    }

    public PgCopyBuffer int4(int v) {
        int32(4);
        int32(v);
        return this;
    }

    public PgCopyBuffer float4(float v) {
        int32(4);
        int32(Float.floatToRawIntBits(v));
        return this;
    }

    public PgCopyBuffer float8(double v) {
        int32(8);
        int64(Double.doubleToRawLongBits(v));
        return this;
    }

    /** A timestamptz given as microseconds since the Unix epoch. */
    public PgCopyBuffer timestamptz(long epochMicros) {
        return int8(epochMicros - PG_EPOCH_OFFSET_MICROS);
    }

    /** A SQL NULL in the next field. */
    public PgCopyBuffer nullField() {
        int32(-1);
        return this;
    }

    public PgCopyBuffer bytea(byte[] v) {
        int32(v.length);
        write(v);
        return this;
    }

    /** A one-dimensional double precision[] without NULLs. */
    public PgCopyBuffer float8Array(double[] v) {
        int32(20 + v.length * 12);
        int32(1);          // dimensions
        int32(0);          // has nulls
        int32(FLOAT8_OID);
        int32(v.length);   // dimension length
        int32(1);          // lower bound
        for (double d : v) {
            int32(8);
            int64(Double.doubleToRawLongBits(d));
        }
        return this;
    }

    /** A one-dimensional bigint[] without NULLs. */
    public PgCopyBuffer int8Array(long[] v) {
        int32(20 + v.length * 12);
        int32(1);          // dimensions
        int32(0);          // has nulls
        int32(INT8_OID);
        int32(v.length);   // dimension length
        int32(1);          // lower bound
        for (long x : v) {
            int32(8);
            int64(x);
        }
        return this;
    }

    /** Sends the stream with {@code copySql} ({@code COPY t (...) FROM STDIN (FORMAT binary)}); returns rows copied. */
    public long copyInto(Connection c, String copySql) throws SQLException {
        int16(-1);
        try {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, new ByteArrayInputStream(buf, 0, len), 1 << 16);
        } catch (java.io.IOException e) {
            throw new SQLException("COPY stream failed", "08006", e);
        }
    }

    private void int16(int v) {
        ensure(2);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int32(int v) {
        ensure(4);
        buf[len++] = (byte) (v >>> 24);
        buf[len++] = (byte) (v >>> 16);
        buf[len++] = (byte) (v >>> 8);
        buf[len++] = (byte) v;
    }

    private void int64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[len++] = (byte) (v >>> shift);
        }
    }

    private void write(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
