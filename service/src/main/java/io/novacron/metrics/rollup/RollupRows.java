package io.novacron.metrics.rollup;

import io.novacron.metrics.series.BucketKey;
import io.novacron.metrics.series.Aggregate;
import io.novacron.db.PgCopyBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.SortedMap;

/** Writes aggregate rows with binary COPY: partials into a delta table, merged tiers into a staging table. */
public final class RollupRows {
    /** The aggregate's columns, after keys, step and bucket, in the order rows are copied. */
    static final String COLUMNS = "n, sums, mins, maxs, sketches, first_ts, last_ts, counts";
    /**
     * The aggregate's columns as {@link RollupCompactor#aggregate} reads them, with the sketch
     * column given (the column, or {@code NULL::bytea} when quantiles are not needed).
     */
    public static String selectColumns(String sketches) {
        return "n, sums, mins, maxs, " + sketches + ", date_part('epoch', first_ts), date_part('epoch', last_ts), counts";
    }

    private RollupRows() {
    }

    /** Appends {@code rows} (finest-tier partials) to the scope's delta table. */
    public static void appendDelta(Connection c, RollupScope scope, SortedMap<BucketKey, Aggregate> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        copy(c, "COPY " + scope.deltaTable() + " (" + scope.keyList() + ", bucket, " + COLUMNS + ") FROM STDIN (FORMAT binary)",
                scope, rows, -1);
    }

    /** Writes merged tier rows into {@code table} (a staging table shaped like the scope's tier table). */
    static void copyTier(Connection c, String table, RollupScope scope, int stepSeconds, Map<BucketKey, Aggregate> rows) throws SQLException {
        copy(c, tierCopy(table, scope), scope, rows, stepSeconds);
    }

    /**
     * A tier writer for rows produced one at a time (a streamed build): sends a COPY every
     * {@code flushRows} rows, so memory stays bounded whatever the size of the build, and rows land
     * in the table in the order they are written.
     */
    static TierWriter tierWriter(Connection c, RollupScope scope, int stepSeconds, int flushRows) {
        return new TierWriter(c, tierCopy(scope.table(), scope), scope, stepSeconds, flushRows);
    }

    static final class TierWriter implements AutoCloseable {
        private final Connection c;
        private final String sql;
        private final RollupScope scope;
        private final int step, flushRows;
        private PgCopyBuffer buf;
        private int rows;

        private TierWriter(Connection c, String sql, RollupScope scope, int step, int flushRows) {
            this.c = c;
            this.sql = sql;
            this.scope = scope;
            this.step = step;
            this.flushRows = flushRows;
        }

        void write(BucketKey k, Aggregate a) throws SQLException {
            if (buf == null) {
                buf = new PgCopyBuffer(flushRows * 400);
            }
            row(buf, scope, step, k, a);
            if (++rows == flushRows) {
                flush();
            }
        }

        private void flush() throws SQLException {
            if (rows > 0) {
                buf.copyInto(c, sql);
            }
            buf = null;
            rows = 0;
        }

        @Override
        public void close() throws SQLException {
            flush();
        }
    }

    private static String tierCopy(String table, RollupScope scope) {
        return "COPY " + table + " (" + scope.keyList() + ", step_s, bucket, " + COLUMNS + ") FROM STDIN (FORMAT binary)";
    }

    private static void copy(Connection c, String sql, RollupScope scope, Map<BucketKey, Aggregate> rows, int step) throws SQLException {
        PgCopyBuffer buf = new PgCopyBuffer(rows.size() * 400);
        for (Map.Entry<BucketKey, Aggregate> e : rows.entrySet()) {
            row(buf, scope, step, e.getKey(), e.getValue());
        }
        buf.copyInto(c, sql);
    }

    /** One row: keys, step (tier rows only, {@code step > 0}), bucket, then {@link #COLUMNS}. */
    private static void row(PgCopyBuffer buf, RollupScope scope, int step, BucketKey k, Aggregate a) {
        int keys = scope.keys().size();
        buf.startRow(keys + (step > 0 ? 10 : 9)).int8(k.a());
        if (keys == 2) {
            buf.int8(k.b());
        }
        if (step > 0) {
            buf.int4(step);
        }
        buf.timestamptz(k.bucketMicros());
        a.copyColumns(buf);
        if (a.first() == Aggregate.UNKNOWN) {
            buf.nullField().nullField();
        } else {
            buf.timestamptz(a.first()).timestamptz(a.last());
        }
        a.copyCounts(buf);
    }
}
