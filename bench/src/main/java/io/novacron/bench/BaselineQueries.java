package io.novacron.bench;

/**
 * The "original" answers to the five critical reads, for the benchmark's side-by-side column:
 * straightforward SQL over the base tables only (vm, node and the raw samples vm_metrics /
 * node_metrics), with no counters, latest-value tables, rollups or cache, OFFSET pagination and
 * {@code count(*)} totals, as the optimization report started from. Parameters are positional
 * ({@code ?}); a nullable filter is given twice ({@code ? IS NULL OR column = ?}) so one statement
 * serves every filter combination, as such code usually does.
 *
 * <p>The raw sample tables are the metrics area's: {@code vm_metrics(vm_id, ts, cpu_usage,
 * memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps)} and
 * {@code node_metrics(node_id, ts, cpu_usage, memory_usage, ...)}, each with an index leading
 * with (series id, ts); adjust the names here if that area names them otherwise.
 */
public final class BaselineQueries {
    private BaselineQueries() {
    }

    /** Dashboard of one org (params: org_id): counts and sizes recounted from vm. */
    public static final String DASHBOARD_ORG = """
            SELECT now() AS as_of, count(*) AS total,
                   count(*) FILTER (WHERE state = 'pending') AS pending, count(*) FILTER (WHERE state = 'running') AS running,
                   count(*) FILTER (WHERE state = 'stopped') AS stopped, count(*) FILTER (WHERE state = 'paused') AS paused,
                   count(*) FILTER (WHERE state = 'migrating') AS migrating, count(*) FILTER (WHERE state = 'error') AS error,
                   coalesce(sum(cpu_cores) FILTER (WHERE state IN ('pending', 'running', 'paused', 'migrating')), 0) AS allocated_cpu_cores,
                   coalesce(sum(memory_mb) FILTER (WHERE state IN ('pending', 'running', 'paused', 'migrating')), 0) AS allocated_memory_mb,
                   coalesce(sum(disk_gb) FILTER (WHERE state IN ('pending', 'running', 'paused', 'migrating')), 0) AS allocated_disk_gb,
                   coalesce(sum(cpu_cores) FILTER (WHERE state = 'running'), 0) AS running_cpu_cores,
                   coalesce(sum(memory_mb) FILTER (WHERE state = 'running'), 0) AS running_memory_mb,
                   coalesce(sum(disk_gb) FILTER (WHERE state = 'running'), 0) AS running_disk_gb,
                   count(DISTINCT node_id) FILTER (WHERE state IN ('pending', 'running', 'paused', 'migrating')) AS nodes_in_use,
                   count(DISTINCT owner_id) AS owners,
                   count(*) FILTER (WHERE created_at > now() - interval '24 hours') AS created_last_24h
              FROM vm WHERE org_id = ?""";

    /** Dashboard of the whole platform (no params). */
    public static final String DASHBOARD_PLATFORM = DASHBOARD_ORG.replace(" WHERE org_id = ?", "");

    /** The dashboard's 5-minute usage averages for one org (params: org_id), from raw samples. */
    public static final String DASHBOARD_USAGE_5M = """
            SELECT avg(m.cpu_usage) AS cpu_usage_avg_5m, avg(m.memory_usage) AS memory_usage_avg_5m
              FROM vm_metrics m JOIN vm v ON v.id = m.vm_id
             WHERE v.org_id = ? AND m.ts >= date_trunc('minute', now()) - interval '4 minutes'""";

    /**
     * One page of the VM listing (params: org_id, state×2, node_id×2, owner_id×2, tag-array×2,
     * q×2, created_after×2, created_before×2, offset, limit). Sort by created_at newest first; the
     * other sorts differ only in the ORDER BY column.
     */
    public static final String LISTING_PAGE = """
            SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata, created_at, updated_at
              FROM vm
             WHERE org_id = ?
               AND (?::text IS NULL OR state = ?)
               AND (?::bigint IS NULL OR node_id = ?)
               AND (?::bigint IS NULL OR owner_id = ?)
               AND (?::text[] IS NULL OR tags @> ?::text[])
               AND (?::text IS NULL OR name ILIKE '%' || ? || '%')
               AND (?::timestamptz IS NULL OR created_at > ?)
               AND (?::timestamptz IS NULL OR created_at < ?)
             ORDER BY created_at DESC
            OFFSET ? LIMIT ?""";

    /** The listing's total (same filter params as {@link #LISTING_PAGE}, without offset and limit). */
    public static final String LISTING_TOTAL = """
            SELECT count(*) FROM vm
             WHERE org_id = ?
               AND (?::text IS NULL OR state = ?)
               AND (?::bigint IS NULL OR node_id = ?)
               AND (?::bigint IS NULL OR owner_id = ?)
               AND (?::text[] IS NULL OR tags @> ?::text[])
               AND (?::text IS NULL OR name ILIKE '%' || ? || '%')
               AND (?::timestamptz IS NULL OR created_at > ?)
               AND (?::timestamptz IS NULL OR created_at < ?)""";

    /** Monitoring: an org's VMs with their latest raw sample, top by CPU (params: org_id, limit). */
    public static final String MONITORING_VMS = """
            SELECT v.id, v.name, v.state, v.node_id, m.ts, m.cpu_usage, m.memory_usage, m.disk_read_bps,
                   m.disk_write_bps, m.net_rx_bps, m.net_tx_bps, m.ts < now() - interval '180 seconds' AS stale
              FROM vm v
              JOIN LATERAL (SELECT * FROM vm_metrics x WHERE x.vm_id = v.id ORDER BY x.ts DESC LIMIT 1) m ON true
             WHERE v.org_id = ?
             ORDER BY m.cpu_usage DESC
             LIMIT ?""";

    /** Monitoring of one node's latest raw sample (params: node_id). */
    public static final String MONITORING_NODE = """
            SELECT n.id, n.name, n.zone, n.state, m.ts, m.cpu_usage, m.memory_usage,
                   m.ts < now() - interval '180 seconds' AS stale
              FROM node n
              JOIN LATERAL (SELECT * FROM node_metrics x WHERE x.node_id = n.id ORDER BY x.ts DESC LIMIT 1) m ON true
             WHERE n.id = ?""";

    /**
     * Node capacity with allocation recounted from vm (params: zone×2, fits_cpu×2,
     * fits_memory_mb×2, fits_disk_gb×2, limit), ordered by free CPU.
     */
    public static final String CAPACITY = """
            SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb,
                   coalesce(a.cpu, 0) AS alloc_cpu_cores, coalesce(a.mem, 0) AS alloc_memory_mb,
                   coalesce(a.disk, 0) AS alloc_disk_gb, coalesce(a.vms, 0) AS vm_count,
                   n.cpu_cores - coalesce(a.cpu, 0) AS free_cpu, n.memory_mb - coalesce(a.mem, 0) AS free_memory_mb
              FROM node n
              LEFT JOIN (SELECT node_id, sum(cpu_cores) cpu, sum(memory_mb) mem, sum(disk_gb) disk, count(*) vms
                           FROM vm WHERE state IN ('pending', 'running', 'paused', 'migrating')
                          GROUP BY node_id) a ON a.node_id = n.id
             WHERE (?::text IS NULL OR n.zone = ?)
               AND (?::bigint IS NULL OR n.cpu_cores - coalesce(a.cpu, 0) >= ?)
               AND (?::bigint IS NULL OR n.memory_mb - coalesce(a.mem, 0) >= ?)
               AND (?::bigint IS NULL OR n.disk_gb - coalesce(a.disk, 0) >= ?)
             ORDER BY free_cpu DESC
             LIMIT ?""";

    /** Metrics of one VM, bucketed (params: step interval text e.g. '5 minutes', vm_id, from, to). */
    public static final String METRICS_VM = """
            SELECT date_bin(?::interval, ts, timestamptz 'epoch') AS bucket, avg(cpu_usage), min(cpu_usage), max(cpu_usage),
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY cpu_usage) AS p95
              FROM vm_metrics WHERE vm_id = ? AND ts >= ? AND ts < ?
             GROUP BY 1 ORDER BY 1""";

    /** Metrics of a whole org, bucketed (params: step, org_id, from, to). */
    public static final String METRICS_ORG = """
            SELECT date_bin(?::interval, m.ts, timestamptz 'epoch') AS bucket, avg(m.cpu_usage), min(m.cpu_usage), max(m.cpu_usage)
              FROM vm_metrics m JOIN vm v ON v.id = m.vm_id
             WHERE v.org_id = ? AND m.ts >= ? AND m.ts < ?
             GROUP BY 1 ORDER BY 1""";
}
