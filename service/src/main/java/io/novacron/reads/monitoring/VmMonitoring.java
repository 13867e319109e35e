package io.novacron.reads.monitoring;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.cache.Scope;
import io.novacron.db.Tx;
import io.novacron.reads.Sql;
import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import io.novacron.web.Page;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/monitoring/vms}: an organization's VMs with their latest sample (vm_latest,
 * kept by ingestion), top-N first. A VM that never sent a sample is not listed. By usage, the
 * scan walks vm_latest_org_{cpu,memory}_idx from the top and stops after one page, so a page
 * costs the same for an org of 10 or 100,000 VMs (filters on vm columns only add the rows they
 * reject); by name it walks vm_org_name_idx. {@code stale}: latest sample older than 3 sample
 * intervals ({@code NOVACRON_SAMPLE_INTERVAL_S}).
 */
public final class VmMonitoring {
    public static final String ROUTE = "/api/v1/monitoring/vms";
    private static final Set<String> PARAMS = Set.of("org_id", "node_id", "state", "min_cpu", "sort", "limit", "cursor");
    private static final List<String> STATES = List.of("pending", "running", "stopped", "paused", "migrating", "error");

    private static final String COLUMNS = """
            SELECT v.id, v.name, v.state, v.node_id, l.ts, l.cpu_usage, l.memory_usage, l.disk_read_bps,
                   l.disk_write_bps, l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => ?) AS stale""";
    // By usage, no filter on the VM: walks vm_latest_org_{cpu,memory}_idx from the top, probing each
    // row's VM (vm_id_key; a vm_latest row may outlive its VM, so the walk goes on until the page is
    // full). The probe is a
    // LATERAL subquery with OFFSET 0 so the planner estimates one VM per row: as a join on (org_id,
    // id) it estimated ~1 row for the whole org (the org is filtered on both sides, as if the two
    // were independent), so for orgs of a few hundred VMs it joined all of them and sorted (an org
    // of 750 on `large`: 3,068 buffers, 1.54 ms warm, against 273 and 0.22 ms this way).
    private static final String FROM_LATEST = " FROM vm_latest l CROSS JOIN LATERAL (SELECT x.id, x.org_id, x.name, x.state,"
            + " x.node_id FROM vm x WHERE x.id = l.vm_id AND x.org_id = l.org_id OFFSET 0) v";
    // By name, or with a filter on the VM (node, a common state): a join, so the planner can walk
    // vm_org_name_idx or start from the VMs that pass (probing from the usage walk read the org's
    // every sample row for a node filter: 36 ms for the largest `large` org, the join 0.25 ms).
    private static final String FROM_JOIN = " FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id";
    // For a rare state: the state's VMs by vm_org_state_created_idx, each probing vm_latest_pkey
    // (OFFSET 0 keeps the probe a nested loop), then a top-N sort of that small set.
    private static final String FROM_VMS = " FROM vm v CROSS JOIN LATERAL (SELECT * FROM vm_latest x"
            + " WHERE x.org_id = v.org_id AND x.vm_id = v.id OFFSET 0) l";
    // PK of org_vm_stats.
    private static final String STATE_COUNT = "SELECT coalesce(sum(vm_count), 0) FROM org_vm_stats WHERE org_id = ? AND state = ?";
    /** Up to this many VMs in the asked state, probing each beats walking the org's usage index. */
    private static final long RARE_STATE = 3000;

    /** The latest value of each metric (null: the VM never sent it; see vm_latest in METRICS.md). */
    public record Item(long vmId, String name, String state, Long nodeId, Instant ts, Double cpuUsage,
                       Double memoryUsage, Double diskReadBps, Double diskWriteBps, Double netRxBps,
                       Double netTxBps, boolean stale) {
    }

    private record Query(long org, Long nodeId, String state, Double minCpu, MonitoringSort sort, int limit,
                         List<Object> cursor) {
    }

    private final Tx tx;
    private final ReadCache cache;
    private final Duration staleAfter;

    public VmMonitoring(Tx tx, ReadCache cache, Duration sampleInterval) {
        this.tx = tx;
        this.cache = cache;
        this.staleAfter = sampleInterval.multipliedBy(3);
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::get);
    }

    private void get(Context ctx) {
        Params p = Params.of(ctx, PARAMS);
        long org = Principal.of(ctx).orgScope(p);
        String state = p.optString("state");
        if (state != null && !STATES.contains(state)) {
            throw ApiException.invalid("state", "unknown state '" + state + "'", Map.of("allowed", STATES));
        }
        Double minCpu = p.optDouble("min_cpu");
        if (minCpu != null && (minCpu < 0 || minCpu > 100)) {
            throw ApiException.invalid("min_cpu", "min_cpu must be between 0 and 100");
        }
        MonitoringSort sort = MonitoringSort.parse(p.optString("sort"), "l", "v", "l.vm_id");
        List<Object> cursor = Cursor.decode(p.optString("cursor"), sort.token(), 2);
        if (cursor != null) {
            sort.valueOf(cursor);
            Cursor.longAt(cursor, 1);
        }
        Query q = new Query(org, p.optLong("node_id"), state, minCpu, sort, p.limit(), cursor);
        cache.respond(ctx, ROUTE, Scope.org(org), p.canonical(),
                () -> Sql.json(tx.read(c -> page(c, q))));
    }

    private Page<Item> page(Connection c, Query q) throws SQLException {
        List<Object> filterArgs = new ArrayList<>();
        String where = where(q, filterArgs);
        String from = q.state() != null && stateCount(c, q) <= RARE_STATE ? FROM_VMS
                : q.sort().byName() || q.nodeId() != null || q.state() != null ? FROM_JOIN : FROM_LATEST;
        List<Object> args = new ArrayList<>();
        String sql = q.sort().pageSql(COLUMNS + from, List.of((double) staleAfter.toSeconds()), where, filterArgs, q.cursor(), q.limit(), args);
        List<Item> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepareCustom(c, sql)) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(new Item(rs.getLong("id"), rs.getString("name"), rs.getString("state"),
                            Sql.optLong(rs, "node_id"), rs.getTimestamp("ts").toInstant(), Sql.optDouble(rs, "cpu_usage"),
                            Sql.optDouble(rs, "memory_usage"), Sql.optDouble(rs, "disk_read_bps"), Sql.optDouble(rs, "disk_write_bps"),
                            Sql.optDouble(rs, "net_rx_bps"), Sql.optDouble(rs, "net_tx_bps"), rs.getBoolean("stale")));
                }
            }
        }
        String next = Cursor.next(items, q.limit(), q.sort().token(), last -> java.util.Arrays.asList(switch (q.sort().token()) {
            case "-cpu_usage" -> last.cpuUsage();
            case "-memory_usage" -> last.memoryUsage();
            default -> last.name();
        }, last.vmId()));
        if (q.cursor() == null && next == null) {
            return new Page<>(items, null, items.size(), false);
        }
        return new Page<>(items, next, Sql.estimate(c, from.substring(" FROM ".length()), where, filterArgs), true);
    }

    private static long stateCount(Connection c, Query q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(STATE_COUNT)) {
            ps.setLong(1, q.org());
            ps.setString(2, q.state());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String where(Query q, List<Object> args) {
        StringBuilder w = new StringBuilder("l.org_id = ? AND v.org_id = ?");
        args.add(q.org());
        args.add(q.org());
        if (q.minCpu() != null) {
            w.append(" AND l.cpu_usage >= ?::float8");
            args.add(q.minCpu());
        }
        if (q.nodeId() != null) {
            w.append(" AND v.node_id = ?"); // vm_org_node_idx
            args.add(q.nodeId());
        }
        if (q.state() != null) {
            w.append(" AND v.state = ?");
            args.add(q.state());
        }
        return w.toString();
    }
}
