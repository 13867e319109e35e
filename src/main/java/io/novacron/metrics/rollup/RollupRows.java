package io.novacron.metrics.rollup;

import io.novacron.metrics.ingest.PgCopyBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.SortedMap;

/** Writes aggregate rows with binary COPY: partials into a delta table, merged tiers into a staging table. */
public final class RollupRows {
    private RollupRows() {
    }

    /** Appends {@code rows} (finest-tier partials) to the scope's delta table. */
    public static void appendDelta(Connection c, RollupScope scope, SortedMap<BucketKey, Aggregate> rows) throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        copy(c, "COPY " + scope.deltaTable() + " (" + scope.keyList() + ", bucket, n, sums, mins, maxs, sketches) FROM STDIN (FORMAT binary)",
                scope, rows, -1);
    }

    /** Writes merged tier rows into {@code table} (a staging table shaped like the scope's tier table). */
    static void copyTier(Connection c, String table, RollupScope scope, int stepSeconds, Map<BucketKey, Aggregate> rows) throws SQLException {
        copy(c, "COPY " + table + " (" + scope.keyList() + ", step_s, bucket, n, sums, mins, maxs, sketches) FROM STDIN (FORMAT binary)",
                scope, rows, stepSeconds);
    }

    private static void copy(Connection c, String sql, RollupScope scope, Map<BucketKey, Aggregate> rows, int step) throws SQLException {
        int keys = scope.keys().size();
        PgCopyBuffer buf = new PgCopyBuffer(rows.size() * 400);
        for (Map.Entry<BucketKey, Aggregate> e : rows.entrySet()) {
            BucketKey k = e.getKey();
            Aggregate a = e.getValue();
            buf.startRow(keys + (step > 0 ? 7 : 6)).int8(k.a());
            if (keys == 2) {
                buf.int8(k.b());
            }
            if (step > 0) {
                buf.int4(step);
            }
            buf.timestamptz(k.bucketMicros()).int8(a.n)
                    .float8Array(a.sum).float8Array(a.min).float8Array(a.max).bytea(a.encodeSketches());
        }
        buf.copyInto(c, sql);
    }
}
