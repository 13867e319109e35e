package io.novacron.metrics.block;

import io.novacron.db.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Packed vs hot history per scope, from the packer's own counts (metric_pack_stats), the
 * watermarks and the catalog: no scan of the samples. Hot samples are the planner's estimate
 * (pg_class.reltuples, exact after the packer's VACUUM). Bytes per sample of a tier divide the
 * tier's size (heap, indexes, TOAST) by the raw samples it covers: packed samples for the blocks,
 * hot for the rows, all of them for the rollup tiers (together, and each tier alone: the 5-minute
 * tier holds only the hours not packed yet, V41) and latest values.
 */
public final class PackStats {
    private static final String SQL = """
            WITH s AS (
                SELECT w.scope, w.packed_until, w.moved_until,
                       least(w.moved_until, (SELECT min(hour) FROM metric_pack_dirty d WHERE d.scope = w.scope)) AS oldest_unpacked_hour,
                       (SELECT count(*) FROM metric_pack_dirty d WHERE d.scope = w.scope) AS dirty_hours,
                       coalesce(extract(epoch FROM w.packed_until - w.moved_until) / 3600, 0)::bigint AS backlog_hours,
                       (SELECT coalesce(sum(samples), 0) FROM metric_pack_stats p WHERE p.scope = w.scope)::bigint AS packed_samples,
                       (SELECT coalesce(sum(blocks), 0) FROM metric_pack_stats p WHERE p.scope = w.scope)::bigint AS blocks,
                       (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree((w.scope || '_metric_block')::regclass))::bigint AS packed_bytes,
                       (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0) FROM pg_partition_tree((w.scope || '_metrics')::regclass) t
                          JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf)::bigint AS hot_samples_estimate,
                       (SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree((w.scope || '_metrics')::regclass))::bigint AS hot_bytes,
                       pg_total_relation_size((w.scope || '_rollup_5m')::regclass) AS rollup_5m_bytes,
                       pg_total_relation_size((w.scope || '_rollup_1h')::regclass) AS rollup_1h_bytes,
                       pg_total_relation_size((w.scope || '_rollup_1d')::regclass) AS rollup_1d_bytes,
                       pg_total_relation_size((w.scope || '_rollup_delta')::regclass) AS rollup_delta_bytes,
                       pg_total_relation_size((w.scope || '_latest')::regclass) AS latest_bytes
                  FROM metric_pack_watermark w)
            SELECT s.*,
                   round(packed_bytes::numeric / nullif(packed_samples, 0), 2) AS packed_bytes_per_sample,
                   round(hot_bytes::numeric / nullif(hot_samples_estimate, 0), 2) AS hot_bytes_per_sample,
                   round((rollup_5m_bytes + rollup_1h_bytes + rollup_1d_bytes + rollup_delta_bytes)::numeric
                         / nullif(packed_samples + hot_samples_estimate, 0), 2) AS rollup_bytes_per_sample,
                   round(rollup_5m_bytes::numeric / nullif(packed_samples + hot_samples_estimate, 0), 2) AS rollup_5m_bytes_per_sample,
                   round(rollup_1h_bytes::numeric / nullif(packed_samples + hot_samples_estimate, 0), 2) AS rollup_1h_bytes_per_sample,
                   round(rollup_1d_bytes::numeric / nullif(packed_samples + hot_samples_estimate, 0), 2) AS rollup_1d_bytes_per_sample,
                   round(latest_bytes::numeric / nullif(packed_samples + hot_samples_estimate, 0), 2) AS latest_bytes_per_sample
              FROM s ORDER BY scope""";

    private PackStats() {
    }

    /** One row per scope (vm, node), column name → value (timestamps as ISO-8601 text). */
    public static List<Map<String, Object>> read(Connection c) throws SQLException {
        return Sql.rows(c, SQL);
    }
}
