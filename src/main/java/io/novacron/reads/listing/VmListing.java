package io.novacron.reads.listing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.cache.Scope;
import io.novacron.db.Tx;
import io.novacron.reads.Sql;
import io.novacron.web.Cursor;
import io.novacron.web.Json;
import io.novacron.web.Page;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/vms}: one organization's VMs, filtered and sorted per API.md, in keyset
 * pages. The next page starts strictly after the last (sort key, id) returned, so rows inserted
 * or deleted meanwhile never make a page skip or repeat one, and page 100 costs one index
 * descent like page 1 (indexes in V21: vm_org_{created,state_created,name,cpu,memory}_idx).
 *
 * <p>{@code total}: exact when the filter is the org alone or org + states (from org_vm_stats),
 * or when the first page holds the whole answer; otherwise the planner's row estimate for the
 * filter, flagged {@code total_is_estimate: true}, planned on the first page and carried by the
 * cursor to the following pages of the same filter (one statement per page instead of two).
 */
public final class VmListing {
    public static final String ROUTE = "/api/v1/vms";
    private static final Set<String> PARAMS = Set.of("org_id", "state", "node_id", "owner_id", "tag", "q",
            "created_after", "created_before", "sort", "limit", "cursor");

    // Output columns; metadata as text, parsed once into the response.
    private static final String COLUMNS = """
            SELECT id, org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb,
                   metadata::text, created_at, updated_at FROM vm""";

    // PK of org_vm_stats (org_id, state).
    private static final String COUNT_BY_STATES = """
            SELECT coalesce(sum(vm_count), 0) FROM org_vm_stats WHERE org_id = ? AND state = ANY (?)""";

    public record Vm(long id, long orgId, long ownerId, Long nodeId, String name, String state, int cpuCores,
                     long memoryMb, long diskGb, JsonNode metadata, Instant createdAt, Instant updatedAt) {
    }

    private final Tx tx;
    private final ReadCache cache;

    public VmListing(Tx tx, ReadCache cache) {
        this.tx = tx;
        this.cache = cache;
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::get);
    }

    private void get(Context ctx) {
        Params params = Params.of(ctx, PARAMS);
        long org = Principal.of(ctx).orgScope(params);
        ListingFilter filter = ListingFilter.parse(org, params);
        cache.respond(ctx, ROUTE, Scope.org(org), ReadCache.normalize(ctx.queryParamMap()), () -> {
            Page<Vm> page = tx.read(c -> page(c, filter));
            return Sql.json(page);
        });
    }

    static Page<Vm> page(Connection c, ListingFilter f) throws SQLException {
        List<Object> args = new ArrayList<>();
        String where = f.where(args, true);
        String sql = COLUMNS + " WHERE " + where + " ORDER BY " + f.sort().orderBy() + " LIMIT ?";
        args.add(f.limit() + 1);
        List<Vm> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepareCustom(c, sql)) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(vm(rs));
                }
            }
        }
        if (f.onlyStates()) {
            String next = Cursor.next(items, f.limit(), f.sort().token(), f.sort()::keyOf);
            return new Page<>(items, next, countByStates(c, f), false);
        }
        if (f.cursor() == null && items.size() <= f.limit()) {
            return new Page<>(items, null, items.size(), false);
        }
        // Planned once, on the first page; later pages of the same filter read it from the cursor.
        long total = f.carriedEstimate() != null ? f.carriedEstimate() : estimate(c, f);
        String next = Cursor.next(items, f.limit(), f.sort().token(), f.sort()::keyOf,
                Map.of("t", total, "f", f.fingerprint()));
        return new Page<>(items, next, total, true);
    }

    private static long countByStates(Connection c, ListingFilter f) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT_BY_STATES)) {
            ps.setLong(1, f.org());
            ps.setArray(2, c.createArrayOf("text", f.statesOrAll().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static long estimate(Connection c, ListingFilter f) throws SQLException {
        List<Object> args = new ArrayList<>();
        return Sql.estimate(c, "vm", f.where(args, false), args);
    }

    private static Vm vm(ResultSet rs) throws SQLException {
        try {
            return new Vm(rs.getLong("id"), rs.getLong("org_id"), rs.getLong("owner_id"), Sql.optLong(rs, "node_id"), rs.getString("name"),
                    rs.getString("state"), rs.getInt("cpu_cores"), rs.getLong("memory_mb"), rs.getLong("disk_gb"),
                    Json.MAPPER.readTree(rs.getString("metadata")), rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("vm.metadata is not JSON", e);
        }
    }
}
