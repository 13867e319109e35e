package io.novacron.fleet;

import io.novacron.db.Sql;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.db.Tx;
import io.novacron.web.ApiException;
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
import java.util.Set;

/**
 * {@code GET /api/v1/audit}: newest first, keyset-paginated on (ts, id). An org token reads its
 * organization's rows; the admin reads all (platform rows have org_id 0) or one {@code org_id}.
 * {@code total} is exact up to {@value #EXACT_COUNT_CAP} matching rows; beyond that it is the
 * planner's row estimate and {@code total_is_estimate} is true, so a count never scans a huge log.
 */
public final class AuditRoutes {
    static final int EXACT_COUNT_CAP = 10_000;
    private static final Set<String> TARGET_TYPES = Set.of("org", "token", "user", "node", "vm");

    // Org-scoped: audit_log PK (org_id, ts, id) backwards; platform-wide: audit_log_ts_idx (ts, id) backwards.
    // The "?::x IS NULL OR" guards fold away in the custom plans pgjdbc's unnamed statements get.
    private static final String FILTER = """
            FROM audit_log
            WHERE (?::bigint IS NULL OR org_id = ?)
              AND (?::timestamptz IS NULL OR ts >= ?) AND (?::timestamptz IS NULL OR ts < ?)
              AND (?::text IS NULL OR actor = ?) AND (?::text IS NULL OR target_type = ?)""";
    private static final String PAGE = "SELECT org_id, id, ts, actor, action, target_type, target_id, details::text AS details "
            + FILTER + """

              AND (?::timestamptz IS NULL OR (ts, id) < (?, ?))
            ORDER BY ts DESC, id DESC LIMIT ?""";
    private static final String CAPPED_COUNT = "SELECT count(*) FROM (SELECT 1 " + FILTER + " LIMIT " + (EXACT_COUNT_CAP + 1) + ") s";
    private static final String ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 " + FILTER;

    private final Tx tx;

    public AuditRoutes(Tx tx) {
        this.tx = tx;
    }

    public void register(Javalin app) {
        app.get("/api/v1/audit", this::list);
    }

    private void list(Context ctx) {
        Principal p = Principal.of(ctx);
        Params params = Params.of(ctx, Set.of("from", "to", "actor", "target_type", "limit", "cursor", "org_id"));
        Long org = p.orgScopeOrPlatform(params);
        Instant from = params.optInstant("from");
        Instant to = params.optInstant("to");
        String actor = params.optString("actor");
        String targetType = params.optString("target_type");
        if (targetType != null && !TARGET_TYPES.contains(targetType)) {
            throw ApiException.invalid("target_type", "'target_type' must be one of " + TARGET_TYPES);
        }
        int limit = params.limit();
        List<Object> after = Cursor.decode(params.optString("cursor"), "-ts", 2);
        Instant afterTs = after == null ? null : cursorTs(Cursor.stringAt(after, 0));
        Long afterId = after == null ? null : Cursor.longAt(after, 1);
        Object[] filter = {org, org, from, from, to, to, actor, actor, targetType, targetType};
        ctx.json(tx.read(c -> {
            List<Audit.Entry> items = new ArrayList<>();
            Object[] args = concat(filter, afterTs, afterTs, afterId, limit + 1);
            try (PreparedStatement ps = Sql.prepare(c, PAGE, args); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(new Audit.Entry(rs.getLong("id"), rs.getLong("org_id"), Sql.instant(rs, "ts"),
                            rs.getString("actor"), rs.getString("action"), rs.getString("target_type"),
                            rs.getLong("target_id"), Sql.json(rs, "details")));
                }
            }
            String next = Cursor.next(items, limit, "-ts", last -> List.of(last.ts().toString(), last.id()));
            long total = Sql.count(c, CAPPED_COUNT, filter);
            boolean estimate = total > EXACT_COUNT_CAP;
            return new Page<>(items, next, estimate ? Math.max(total, estimate(c, filter)) : total, estimate);
        }));
    }

    private static long estimate(Connection c, Object[] filter) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, ESTIMATE, filter); ResultSet rs = ps.executeQuery()) {
            rs.next();
            JsonNode plan = Json.MAPPER.readTree(rs.getString(1));
            return plan.path(0).path("Plan").path("Plan Rows").asLong();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static Instant cursorTs(String s) {
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            throw ApiException.invalid("cursor", "cursor is malformed");
        }
    }

    private static Object[] concat(Object[] a, Object... b) {
        Object[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
