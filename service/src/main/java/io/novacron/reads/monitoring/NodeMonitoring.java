package io.novacron.reads.monitoring;

import com.fasterxml.jackson.annotation.JsonProperty;
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
 * {@code GET /api/v1/monitoring/nodes} (admin): nodes with their latest sample (node_latest).
 * A page is an index walk from the top (V25: {@code node_latest_{cpu,memory}_idx},
 * {@code node_name_id_idx}) joined to the other table by key, stopping after one page; filters
 * are tested on the way. Sorting every node instead read all of node_latest, whose heap a bulk
 * load leaves mostly dead space (38-45 ms a page for 5,000 nodes on the large dataset).
 */
public final class NodeMonitoring {
    public static final String ROUTE = "/api/v1/monitoring/nodes";
    private static final Set<String> PARAMS = Set.of("node_id", "state", "zone", "min_cpu", "sort", "limit", "cursor");
    private static final List<String> STATES = List.of("online", "maintenance", "offline");

    private static final String SELECT = """
            SELECT n.id, n.name, n.zone, n.state, l.ts, l.cpu_usage, l.memory_usage, l.disk_usage, l.load_1m,
                   l.net_rx_bps, l.net_tx_bps, l.ts < now() - make_interval(secs => ?) AS stale
              FROM node_latest l JOIN node n ON n.id = l.node_id""";

    /** The latest value of each metric (null: the node never sent it; see vm_latest in METRICS.md). */
    public record Item(long nodeId, String name, String zone, String state, Instant ts, Double cpuUsage,
                       Double memoryUsage, Double diskUsage, @JsonProperty("load_1m") Double load1m, Double netRxBps, Double netTxBps,
                       boolean stale) {
    }

    private final Tx tx;
    private final ReadCache cache;
    private final Duration staleAfter;

    public NodeMonitoring(Tx tx, ReadCache cache, Duration sampleInterval) {
        this.tx = tx;
        this.cache = cache;
        this.staleAfter = sampleInterval.multipliedBy(3);
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::get);
    }

    private void get(Context ctx) {
        Principal.of(ctx).requireAdmin();
        Params p = Params.of(ctx, PARAMS);
        String state = p.optString("state");
        if (state != null && !STATES.contains(state)) {
            throw ApiException.invalid("state", "unknown state '" + state + "'", Map.of("allowed", STATES));
        }
        Double minCpu = p.optDouble("min_cpu");
        MonitoringSort sort = MonitoringSort.parse(p.optString("sort"), "l", "n", "n.id");
        List<Object> cursor = Cursor.decode(p.optString("cursor"), sort.token(), 2);
        if (cursor != null) {
            sort.valueOf(cursor);
            Cursor.longAt(cursor, 1);
        }
        List<Object> filterArgs = new ArrayList<>();
        StringBuilder where = new StringBuilder("true");
        Long nodeId = p.optLong("node_id");
        if (nodeId != null) {
            where.append(" AND n.id = ?");
            filterArgs.add(nodeId);
        }
        if (state != null) {
            where.append(" AND n.state = ?");
            filterArgs.add(state);
        }
        String zone = p.optString("zone");
        if (zone != null) {
            where.append(" AND n.zone = ?");
            filterArgs.add(zone);
        }
        if (minCpu != null) {
            where.append(" AND l.cpu_usage >= ?::float8");
            filterArgs.add(minCpu);
        }
        int limit = p.limit();
        cache.respond(ctx, ROUTE, Scope.PLATFORM, p.canonical(),
                () -> Sql.json(tx.read(c -> page(c, where.toString(), filterArgs, sort, cursor, limit))));
    }

    private Page<Item> page(Connection c, String where, List<Object> filterArgs, MonitoringSort sort,
                            List<Object> cursor, int limit) throws SQLException {
        List<Object> args = new ArrayList<>();
        String sql = sort.pageSql(SELECT, List.of((double) staleAfter.toSeconds()), where, filterArgs, cursor, limit, args);
        List<Item> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepareCustom(c, sql)) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(new Item(rs.getLong("id"), rs.getString("name"), rs.getString("zone"), rs.getString("state"),
                            rs.getTimestamp("ts").toInstant(), Sql.optDouble(rs, "cpu_usage"), Sql.optDouble(rs, "memory_usage"),
                            Sql.optDouble(rs, "disk_usage"), Sql.optDouble(rs, "load_1m"), Sql.optDouble(rs, "net_rx_bps"),
                            Sql.optDouble(rs, "net_tx_bps"), rs.getBoolean("stale")));
                }
            }
        }
        String next = Cursor.next(items, limit, sort.token(), last -> java.util.Arrays.asList(switch (sort.token()) {
            case "-cpu_usage" -> last.cpuUsage();
            case "-memory_usage" -> last.memoryUsage();
            default -> last.name();
        }, last.nodeId()));
        if (cursor == null && next == null) {
            return new Page<>(items, null, items.size(), false);
        }
        return new Page<>(items, next, Sql.estimate(c, "node_latest l JOIN node n ON n.id = l.node_id", where, filterArgs), true);
    }
}
