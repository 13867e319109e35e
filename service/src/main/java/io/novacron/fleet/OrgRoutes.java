package io.novacron.fleet;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.db.SqlStates;
import io.novacron.db.Tx;
import io.novacron.web.ApiException;
import io.novacron.web.Bodies;
import io.novacron.web.Cursor;
import io.novacron.web.ErrorCode;
import io.novacron.web.Page;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import io.novacron.web.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Organizations and their API tokens. */
public final class OrgRoutes {
    record Org(long id, String name, Instant createdAt) {
    }

    record NewOrg(String name) {
    }

    record NewToken(String name, String role) {
    }

    record CreatedToken(long id, String name, String role, String token) {
    }

    private static final String INSERT_ORG = "INSERT INTO org (name) VALUES (?) RETURNING id, name, created_at";
    // PK org (id): keyset by id; an org token's scope narrows it to one row.
    private static final String LIST_ORGS = """
            SELECT id, name, created_at FROM org
            WHERE id > ? AND (?::bigint IS NULL OR id = ?)
            ORDER BY id LIMIT ?""";
    private static final String COUNT_ORGS = "SELECT count(*) FROM org WHERE (?::bigint IS NULL OR id = ?)";
    private static final String GET_ORG = "SELECT id, name, created_at FROM org WHERE id = ?";
    private static final String INSERT_TOKEN = """
            INSERT INTO api_token (org_id, name, role, token_hash) VALUES (?, ?, ?, ?) RETURNING id""";
    // api_token_id_idx (id); the org filter keeps a foreign token invisible (404).
    private static final String REVOKE_TOKEN = """
            UPDATE api_token SET revoked_at = now()
            WHERE id = ? AND (?::bigint IS NULL OR org_id = ?) AND revoked_at IS NULL
            RETURNING org_id, name""";
    private static final String TOKEN_EXISTS = "SELECT 1 FROM api_token WHERE id = ? AND (?::bigint IS NULL OR org_id = ?)";
    private static final List<String> ROLE_RANK = List.of("viewer", "operator", "admin");

    private final Tx tx;
    private final ReadCache cache;

    public OrgRoutes(Tx tx, ReadCache cache) {
        this.tx = tx;
        this.cache = cache;
    }

    public void register(Javalin app) {
        app.post("/api/v1/orgs", this::create);
        app.get("/api/v1/orgs", this::list);
        app.get("/api/v1/orgs/{id}", this::get);
        app.post("/api/v1/orgs/{id}/tokens", this::createToken);
        app.delete("/api/v1/tokens/{id}", this::revokeToken);
    }

    private void create(Context ctx) {
        Principal p = Principal.of(ctx).requireAdmin();
        Params.of(ctx, Set.of());
        NewOrg body = Bodies.read(ctx, NewOrg.class);
        String name = Rows.requireText("name", body.name(), 200);
        Org org = tx.inTransaction(c -> {
            Org o;
            try (PreparedStatement ps = Rows.prepare(c, INSERT_ORG, name); ResultSet rs = ps.executeQuery()) {
                rs.next();
                o = org(rs);
            } catch (SQLException e) {
                throw uniqueOr(e, "an organization named '" + name + "' already exists", "name");
            }
            Audit.record(c, o.id(), p, "org.create", "org", o.id(), Map.of("name", name));
            return o;
        });
        ctx.status(201).json(org);
    }

    private void list(Context ctx) {
        Principal p = Principal.of(ctx);
        Params params = Params.of(ctx, Set.of("limit", "cursor"));
        int limit = params.limit();
        List<Object> after = Cursor.decode(params.optString("cursor"), "id", 1);
        long afterId = after == null ? 0 : Cursor.longAt(after, 0);
        Long only = p.orgId();
        ctx.json(tx.read(c -> {
            List<Org> items = new ArrayList<>();
            try (PreparedStatement ps = Rows.prepare(c, LIST_ORGS, afterId, only, only, limit + 1);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(org(rs));
                }
            }
            String next = Cursor.next(items, limit, "id", x -> List.of(x.id()));
            return new Page<>(items, next, Rows.count(c, COUNT_ORGS, only, only), false);
        }));
    }

    private void get(Context ctx) {
        Principal p = Principal.of(ctx);
        Params.of(ctx, Set.of());
        long id = Params.pathId(ctx, "id", "organization");
        if (!p.sees(id)) {
            throw ApiException.notFound("organization", id);
        }
        ctx.json(tx.read(c -> find(c, id)));
    }

    private static Org find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = Rows.prepare(c, GET_ORG, id); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.notFound("organization", id);
            }
            return org(rs);
        }
    }

    private void createToken(Context ctx) {
        Principal p = Principal.of(ctx);
        Params.of(ctx, Set.of());
        long orgId = Params.pathId(ctx, "id", "organization");
        if (!p.sees(orgId)) {
            throw ApiException.notFound("organization", orgId);
        }
        p.requireOrgAdmin();
        NewToken body = Bodies.read(ctx, NewToken.class);
        String name = Rows.requireText("name", body.name(), 200);
        String role = body.role() == null ? "admin" : Rows.requireRole("role", body.role());
        if (!p.isAdmin() && ROLE_RANK.indexOf(role) > ROLE_RANK.indexOf(p.role())) {
            throw ApiException.forbidden("a token may not create a token with a higher role than its own");
        }
        String secret = Tokens.generate();
        CreatedToken created = tx.inTransaction(c -> {
            find(c, orgId);
            long id;
            try (PreparedStatement ps = Rows.prepare(c, INSERT_TOKEN, orgId, name, role, Tokens.hash(secret));
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            Audit.record(c, orgId, p, "token.create", "token", id, Map.of("name", name, "role", role));
            return new CreatedToken(id, name, role, secret);
        });
        ctx.status(201).json(created);
    }

    private void revokeToken(Context ctx) {
        Principal p = Principal.of(ctx);
        Params.of(ctx, Set.of());
        long id = Params.pathId(ctx, "id", "token");
        Long scope = p.orgId();
        tx.inTransaction(c -> {
            try (PreparedStatement ps = Rows.prepare(c, REVOKE_TOKEN, id, scope, scope); ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    p.requireOrgAdmin(); // throwing rolls the revocation back
                    Audit.record(c, rs.getLong("org_id"), p, "token.revoke", "token", id, Map.of("name", rs.getString("name")));
                    return null;
                }
            }
            if (!Rows.exists(c, TOKEN_EXISTS, id, scope, scope)) {
                throw ApiException.notFound("token", id);
            }
            p.requireOrgAdmin();
            return null; // already revoked: revoking again is a no-op
        });
        cache.tokensChanged(); // committed: refused from now on here; V28 tells the other instances
        ctx.status(204);
    }

    private static Org org(ResultSet rs) throws SQLException {
        return new Org(rs.getLong("id"), rs.getString("name"), Rows.instant(rs, "created_at"));
    }

    /** A unique violation becomes a 409 naming the field; anything else propagates. */
    static SQLException uniqueOr(SQLException e, String message, String field) {
        if (SqlStates.UNIQUE_VIOLATION.equals(e.getSQLState())) {
            throw new ApiException(ErrorCode.CONFLICT, message, Map.of("field", field));
        }
        return e;
    }
}
