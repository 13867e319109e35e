package io.novacron.ops;

import io.javalin.http.Context;
import io.novacron.db.Sql;
import io.novacron.db.SqlStates;
import io.novacron.db.Tx;
import io.novacron.metrics.block.PackStats;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/admin/db/health}: what an operator checks before blaming the application —
 * index usage, unused and duplicate indexes, a bloat estimate, the buffer cache hit ratio, the
 * slowest statements (only when pg_stat_statements is loaded), the time partitions, the
 * rollup backlog, packed vs hot history ({@link PackStats}), and the read replicas' state, lag and share of reads.
 * Everything comes from PostgreSQL's statistics views; nothing here scans user tables.
 */
public final class DbHealth {
    private static final int TOP = 20;

    // Statistics are kept per partition; a partition's index is folded into its parent index so
    // that an index of a partitioned table is reported once, with the scans of all its partitions.
    private static final String LOGICAL_INDEX_STATS = """
            WITH leaf AS (
                SELECT s.indexrelid, s.idx_scan, coalesce(h.inhparent, s.indexrelid) AS logical
                FROM pg_stat_user_indexes s
                LEFT JOIN pg_inherits h ON h.inhrelid = s.indexrelid)
            SELECT i.indrelid::regclass::text AS table, l.logical::regclass::text AS index,
                   sum(l.idx_scan) AS scans, sum(pg_relation_size(l.indexrelid)) AS size_bytes
            FROM leaf l
            JOIN pg_index i ON i.indexrelid = l.logical
            """;

    private static final String INDEX_USAGE = LOGICAL_INDEX_STATS + """
            GROUP BY 1, 2
            ORDER BY size_bytes DESC
            LIMIT ?""";

    // Never scanned since statistics were reset, and not enforcing a constraint.
    private static final String UNUSED_INDEXES = LOGICAL_INDEX_STATS + """
            WHERE NOT i.indisunique AND NOT i.indisprimary
            GROUP BY 1, 2
            HAVING sum(l.idx_scan) = 0
            ORDER BY size_bytes DESC
            LIMIT ?""";

    // Two indexes on the same table with the same columns, operator classes, expressions and predicate.
    private static final String DUPLICATE_INDEXES = """
            SELECT a.indrelid::regclass::text AS table, a.indexrelid::regclass::text AS index,
                   b.indexrelid::regclass::text AS duplicate_of
            FROM pg_index a
            JOIN pg_index b ON a.indrelid = b.indrelid AND a.indexrelid > b.indexrelid
             AND a.indkey = b.indkey AND a.indclass = b.indclass
             AND coalesce(pg_get_expr(a.indexprs, a.indrelid), '') = coalesce(pg_get_expr(b.indexprs, b.indrelid), '')
             AND coalesce(pg_get_expr(a.indpred, a.indrelid), '') = coalesce(pg_get_expr(b.indpred, b.indrelid), '')
            JOIN pg_class c ON c.oid = a.indrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')""";

    // Bloat estimate from the dead-tuple share the statistics collector tracks: cheap and good
    // enough to flag tables autovacuum is not keeping up with (not a page-level measurement).
    private static final String BLOAT = """
            SELECT relname AS table, n_live_tup AS live_rows, n_dead_tup AS dead_rows,
                   round(n_dead_tup::numeric / greatest(n_live_tup + n_dead_tup, 1), 4) AS dead_ratio,
                   pg_total_relation_size(relid) AS total_bytes,
                   round(pg_total_relation_size(relid) * n_dead_tup::numeric
                         / greatest(n_live_tup + n_dead_tup, 1)) AS estimated_bloat_bytes,
                   last_autovacuum
            FROM pg_stat_user_tables
            ORDER BY n_dead_tup DESC
            LIMIT ?""";

    private static final String CACHE_HIT = """
            SELECT blks_hit, blks_read,
                   round(blks_hit::numeric / greatest(blks_hit + blks_read, 1), 6) AS hit_ratio
            FROM pg_stat_database WHERE datname = current_database()""";

    private static final String SLOWEST = """
            SELECT left(query, 300) AS query, calls, round(mean_exec_time::numeric, 3) AS mean_ms,
                   round(total_exec_time::numeric, 1) AS total_ms, rows
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY mean_exec_time DESC
            LIMIT ?""";

    private static final String PARTITIONS = """
            SELECT p.relname AS parent, c.relname AS partition,
                   pg_get_expr(c.relpartbound, c.oid) AS bounds, pg_total_relation_size(c.oid) AS total_bytes
            FROM pg_inherits h
            JOIN pg_class c ON c.oid = h.inhrelid
            JOIN pg_class p ON p.oid = h.inhparent
            WHERE p.relkind = 'p' AND c.relkind IN ('r', 'p')
            ORDER BY p.relname, c.relname""";

    // Rollup partials not yet folded into their tiers (queries read them too, so this is work
    // pending, not staleness); the live lag in seconds is novacron_rollup_lag_seconds on /metrics.
    private static final String ROLLUP_BACKLOG = """
            SELECT relname AS table, n_live_tup AS pending_rows_estimate, last_autovacuum
            FROM pg_stat_user_tables
            WHERE relname LIKE '%\\_rollup\\_delta'
            ORDER BY relname""";

    /** How far the series tiers are built from raw samples (V11); past tier_until queries read raw rows. */
    private static final String ROLLUP_WATERMARKS = """
            SELECT scope, ingest_until, tier_until, hour_until, day_until,
                   extract(epoch FROM now() - tier_until) AS raw_tail_seconds
            FROM rollup_watermark ORDER BY scope""";

    private final Tx tx;

    public DbHealth(Tx tx) {
        this.tx = tx;
    }

    public void handle(Context ctx) {
        Principal.of(ctx).requireAdmin();
        Params.of(ctx, Set.of());
        Map<String, Object> out = tx.readPrimary(c -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index_usage", Sql.rows(c, INDEX_USAGE, TOP));
            m.put("unused_indexes", Sql.rows(c, UNUSED_INDEXES, TOP));
            m.put("duplicate_indexes", Sql.rows(c, DUPLICATE_INDEXES));
            m.put("bloat", Sql.rows(c, BLOAT, TOP));
            m.put("buffer_cache", Sql.rows(c, CACHE_HIT).get(0));
            m.put("slowest_statements", slowest(c));
            m.put("partitions", Sql.rows(c, PARTITIONS));
            m.put("rollup_backlog", Sql.rows(c, ROLLUP_BACKLOG));
            m.put("rollup_watermarks", Sql.rows(c, ROLLUP_WATERMARKS));
            m.put("packed_history", PackStats.read(c));
            return m;
        });
        out.put("replicas", tx.replicas().status()); // state, lag and share of reads of each (db.ReplicaRouter)
        ctx.json(out);
    }

    /** Rows of pg_stat_statements, or null when the extension is not installed and loaded. */
    private static List<Map<String, Object>> slowest(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'")) {
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
            }
        }
        try {
            return Sql.rows(c, SLOWEST, TOP);
        } catch (SQLException e) {
            if (SqlStates.OBJECT_NOT_IN_PREREQUISITE_STATE.equals(e.getSQLState())) { // installed but not in shared_preload_libraries
                return null;
            }
            throw e;
        }
    }
}
