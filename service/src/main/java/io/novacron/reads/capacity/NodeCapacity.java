package io.novacron.reads.capacity;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.web.CachedAnswer;
import io.novacron.web.Json;
import io.novacron.cache.Scope;
import io.novacron.db.Tx;
import io.novacron.db.Sql;
import io.novacron.web.ApiException;
import io.novacron.web.Cursor;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/nodes/capacity} (admin): per node its capacity, the allocation counters the
 * V1 trigger keeps in the same transaction as every VM change, what is free, and the latest node
 * sample; plus totals over all matching nodes (so the whole filtered set is read: thousands of
 * rows, one sequential pass; the page is an index walk). "Fits" filters compare free resources
 * with the asked VM size.
 */
public final class NodeCapacity {
    public static final String ROUTE = "/api/v1/nodes/capacity";
    private static final Set<String> PARAMS = Set.of("zone", "state", "fits_cpu", "fits_memory_mb", "fits_disk_gb",
            "sort", "limit", "cursor");
    private static final List<String> STATES = List.of("online", "maintenance", "offline");

    /**
     * Totals over every matching node and the page, in one statement (one snapshot, one round
     * trip). The page walks node_free_{cpu,memory}_idx (V26) backwards and stops after LIMIT rows;
     * the latest sample is joined to the page's rows only. The totals read all matching nodes (a
     * few thousand rows). An empty page still returns the one totals row, with a NULL id.
     */
    private static final String PAGE_AND_TOTALS = """
            WITH t AS (
                SELECT count(*) AS nodes, coalesce(sum(cpu_cores), 0) AS t_cpu, coalesce(sum(memory_mb), 0) AS t_memory,
                       coalesce(sum(disk_gb), 0) AS t_disk, coalesce(sum(alloc_cpu_cores), 0) AS t_alloc_cpu,
                       coalesce(sum(alloc_memory_mb), 0) AS t_alloc_memory, coalesce(sum(alloc_disk_gb), 0) AS t_alloc_disk,
                       coalesce(sum(vm_count), 0) AS t_vms
                  FROM node n
                 WHERE %2$s)
            SELECT t.*, p.*, l.cpu_usage, l.memory_usage
              FROM t
              LEFT JOIN (SELECT n.id, n.name, n.zone, n.state, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores,
                                n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count, %1$s AS sort_key
                           FROM node n
                          WHERE %3$s
                          ORDER BY %1$s DESC, n.id DESC
                          LIMIT ?) p ON true
              LEFT JOIN node_latest l ON l.node_id = p.id
             ORDER BY p.sort_key DESC, p.id DESC""";

    public record Resources(long cpuCores, long memoryMb, long diskGb) {
    }

    public record Item(long nodeId, String name, String zone, String state, Resources capacity, Resources allocated,
                       Resources free, long vmCount, Double cpuUsage, Double memoryUsage) {
    }

    public record Totals(long nodes, Resources capacity, Resources allocated, Resources free, long vmCount) {
    }

    public record CapacityPage(List<Item> items, String nextCursor, long total, boolean totalIsEstimate, Totals totals) {
    }

    private final Tx tx;
    private final ReadCache cache;

    public NodeCapacity(Tx tx, ReadCache cache) {
        this.tx = tx;
        this.cache = cache;
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::get);
    }

    private void get(Context ctx) {
        Principal.of(ctx).requireAdmin();
        Params p = Params.of(ctx, PARAMS);
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder("true");
        String zone = p.optString("zone");
        if (zone != null) {
            where.append(" AND n.zone = ?");
            args.add(zone);
        }
        String state = p.optString("state");
        if (state != null) {
            if (!STATES.contains(state)) {
                throw ApiException.invalid("state", "unknown state '" + state + "'", Map.of("allowed", STATES));
            }
            where.append(" AND n.state = ?");
            args.add(state);
        }
        fits(p, "fits_cpu", "n.cpu_cores - n.alloc_cpu_cores", where, args);
        fits(p, "fits_memory_mb", "n.memory_mb - n.alloc_memory_mb", where, args);
        fits(p, "fits_disk_gb", "n.disk_gb - n.alloc_disk_gb", where, args);
        String sort = p.optString("sort") == null ? "-free_cpu" : p.optString("sort");
        String column = switch (sort) {
            case "-free_cpu" -> "n.cpu_cores - n.alloc_cpu_cores";
            case "-free_memory_mb" -> "n.memory_mb - n.alloc_memory_mb";
            default -> throw ApiException.invalid("sort", "unknown sort '" + sort + "'",
                    Map.of("allowed", List.of("-free_cpu", "-free_memory_mb")));
        };
        List<Object> cursor = Cursor.decode(p.optString("cursor"), sort, 2);
        if (cursor != null) {
            Cursor.longAt(cursor, 0);
            Cursor.longAt(cursor, 1);
        }
        int limit = p.limit();
        CachedAnswer.send(ctx, cache.get(ROUTE, Scope.PLATFORM, p.canonical(),
                () -> Json.bytes(tx.read(c -> page(c, where.toString(), args, sort, column, cursor, limit)))));
    }

    private static void fits(Params p, String name, String freeExpr, StringBuilder where, List<Object> args) {
        Long v = p.optLong(name);
        if (v != null) {
            if (v < 0) {
                throw ApiException.invalid(name, name + " must not be negative");
            }
            where.append(" AND ").append(freeExpr).append(" >= ?");
            args.add(v);
        }
    }

    private static CapacityPage page(Connection c, String where, List<Object> filterArgs, String sort, String column,
                                     List<Object> cursor, int limit) throws SQLException {
        List<Object> args = new ArrayList<>(filterArgs);
        args.addAll(filterArgs);
        String pageWhere = where;
        if (cursor != null) {
            pageWhere += " AND (" + column + ", n.id) < (?, ?)";
            args.add(Cursor.longAt(cursor, 0));
            args.add(Cursor.longAt(cursor, 1));
        }
        args.add(limit + 1);
        List<Item> items = new ArrayList<>();
        Totals totals = null;
        try (PreparedStatement ps = Sql.prepareCustom(c, PAGE_AND_TOTALS.formatted(column, where, pageWhere))) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (totals == null) {
                        Resources cap = new Resources(rs.getLong("t_cpu"), rs.getLong("t_memory"), rs.getLong("t_disk"));
                        Resources alloc = new Resources(rs.getLong("t_alloc_cpu"), rs.getLong("t_alloc_memory"),
                                rs.getLong("t_alloc_disk"));
                        totals = new Totals(rs.getLong("nodes"), cap, alloc, minus(cap, alloc), rs.getLong("t_vms"));
                    }
                    long id = rs.getLong("id");
                    if (rs.wasNull()) {
                        break; // no node on this page: the totals row alone
                    }
                    Resources cap = new Resources(rs.getLong("cpu_cores"), rs.getLong("memory_mb"), rs.getLong("disk_gb"));
                    Resources alloc = new Resources(rs.getLong("alloc_cpu_cores"), rs.getLong("alloc_memory_mb"),
                            rs.getLong("alloc_disk_gb"));
                    items.add(new Item(id, rs.getString("name"), rs.getString("zone"), rs.getString("state"),
                            cap, alloc, minus(cap, alloc), rs.getLong("vm_count"),
                            Sql.optDouble(rs, "cpu_usage"), Sql.optDouble(rs, "memory_usage")));
                }
            }
        }
        String next = Cursor.next(items, limit, sort, last ->
                List.of(sort.equals("-free_cpu") ? last.free().cpuCores() : last.free().memoryMb(), last.nodeId()));
        return new CapacityPage(items, next, totals.nodes(), false, totals);
    }

    private static Resources minus(Resources a, Resources b) {
        return new Resources(a.cpuCores() - b.cpuCores(), a.memoryMb() - b.memoryMb(), a.diskGb() - b.diskGb());
    }
}
