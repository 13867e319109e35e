package io.novacron.fleet;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.db.Tx;
import io.novacron.web.ApiException;
import io.novacron.web.Bodies;
import io.novacron.web.Cursor;
import io.novacron.web.Page;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The users of an organization (VM owners). Reads need any token of the org; changes an org admin. */
public final class UserRoutes {
    record User(long id, long orgId, String email, String name, String role, Instant createdAt) {
    }

    record NewUser(String email, String name, String role) {
    }

    record UserPatch(String email, String name, String role) {
    }

    private static final String COLUMNS = "org_id, id, email, name, role, created_at";
    private static final String INSERT = "INSERT INTO app_user (org_id, email, name, role) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS;
    // PK app_user (org_id, id): keyset within the organization.
    private static final String LIST = "SELECT " + COLUMNS + " FROM app_user WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?";
    private static final String COUNT = "SELECT count(*) FROM app_user WHERE org_id = ?";
    // PK (org_id, id) for org tokens; the admin's org-less lookup scans app_user (users are few per platform).
    private static final String GET = "SELECT " + COLUMNS + " FROM app_user WHERE id = ? AND (?::bigint IS NULL OR org_id = ?)";
    private static final String LOCK = GET + " FOR UPDATE";
    private static final String UPDATE =
            "UPDATE app_user SET email = ?, name = ?, role = ? WHERE org_id = ? AND id = ? RETURNING " + COLUMNS;
    // vm_org_owner_idx (org_id, owner_id)
    private static final String OWNS_VMS = "SELECT 1 FROM vm WHERE org_id = ? AND owner_id = ? LIMIT 1";
    private static final String DELETE = "DELETE FROM app_user WHERE org_id = ? AND id = ?";

    private final Tx tx;

    public UserRoutes(Tx tx) {
        this.tx = tx;
    }

    public void register(Javalin app) {
        app.post("/api/v1/users", this::create);
        app.get("/api/v1/users", this::list);
        app.get("/api/v1/users/{id}", this::get);
        app.patch("/api/v1/users/{id}", this::patch);
        app.delete("/api/v1/users/{id}", this::delete);
    }

    private void create(Context ctx) {
        Principal p = Principal.of(ctx);
        long orgId = p.orgScope(Params.of(ctx, Set.of("org_id")));
        p.requireOrgAdmin();
        NewUser body = Bodies.read(ctx, NewUser.class);
        String email = email(body.email());
        String name = Rows.requireText("name", body.name(), 200);
        String role = body.role() == null ? "viewer" : Rows.requireRole("role", body.role());
        User user = tx.inTransaction(c -> {
            if (!Rows.exists(c, "SELECT 1 FROM org WHERE id = ?", orgId)) {
                throw ApiException.notFound("organization", orgId);
            }
            User u;
            try (PreparedStatement ps = Rows.prepare(c, INSERT, orgId, email, name, role); ResultSet rs = ps.executeQuery()) {
                rs.next();
                u = user(rs);
            } catch (SQLException e) {
                throw OrgRoutes.uniqueOr(e, "a user with this e-mail already exists in the organization", "email");
            }
            Audit.record(c, orgId, p, "user.create", "user", u.id(), Map.of("email", email, "name", name, "role", role));
            return u;
        });
        ctx.status(201).json(user);
    }

    private void list(Context ctx) {
        Principal p = Principal.of(ctx);
        Params params = Params.of(ctx, Set.of("org_id", "limit", "cursor"));
        long orgId = p.orgScope(params);
        int limit = params.limit();
        List<Object> after = Cursor.decode(params.optString("cursor"), "id", 1);
        long afterId = after == null ? 0 : Cursor.longAt(after, 0);
        ctx.json(tx.read(c -> {
            List<User> items = new ArrayList<>();
            try (PreparedStatement ps = Rows.prepare(c, LIST, orgId, afterId, limit + 1); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(user(rs));
                }
            }
            String next = Cursor.next(items, limit, "id", x -> List.of(x.id()));
            return new Page<>(items, next, Rows.count(c, COUNT, orgId), false);
        }));
    }

    private void get(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Rows.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        ctx.json(tx.read(c -> find(c, GET, id, scope)));
    }

    private void patch(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Rows.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        UserPatch body = Bodies.readPatch(ctx, UserPatch.class);
        User updated = tx.inTransaction(c -> {
            User u = find(c, LOCK, id, scope);
            p.requireOrgAdmin();
            Map<String, Object> changed = new LinkedHashMap<>();
            String email = u.email();
            if (body.email() != null && !body.email().equals(email)) {
                email = email(body.email());
                changed.put("email", email);
            }
            String name = u.name();
            if (body.name() != null && !body.name().equals(name)) {
                name = Rows.requireText("name", body.name(), 200);
                changed.put("name", name);
            }
            String role = u.role();
            if (body.role() != null && !body.role().equals(role)) {
                role = Rows.requireRole("role", body.role());
                changed.put("role", role);
            }
            if (changed.isEmpty()) {
                return u;
            }
            User n;
            try (PreparedStatement ps = Rows.prepare(c, UPDATE, email, name, role, u.orgId(), id); ResultSet rs = ps.executeQuery()) {
                rs.next();
                n = user(rs);
            } catch (SQLException e) {
                throw OrgRoutes.uniqueOr(e, "a user with this e-mail already exists in the organization", "email");
            }
            Audit.record(c, u.orgId(), p, "user.update", "user", id, changed);
            return n;
        });
        ctx.json(updated);
    }

    private void delete(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Rows.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        tx.inTransaction(c -> {
            User u = find(c, LOCK, id, scope);
            p.requireOrgAdmin();
            // The row lock above keeps a concurrent VM create for this owner waiting on the FK check,
            // and the FK itself refuses a delete that would orphan a VM.
            if (Rows.exists(c, OWNS_VMS, u.orgId(), id)) {
                throw ApiException.conflict("user " + id + " still owns VMs; delete them or give them another owner first");
            }
            Rows.update(c, DELETE, u.orgId(), id);
            Audit.record(c, u.orgId(), p, "user.delete", "user", id, Map.of("email", u.email()));
            return null;
        });
        ctx.status(204);
    }

    private static User find(Connection c, String sql, long id, Long scope) throws SQLException {
        try (PreparedStatement ps = Rows.prepare(c, sql, id, scope, scope); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.notFound("user", id);
            }
            return user(rs);
        }
    }

    private static String email(String email) {
        Rows.requireText("email", email, 320);
        int at = email.indexOf('@');
        if (at < 1 || at == email.length() - 1 || email.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.invalid("email", "'email' must be an e-mail address like name@example.com");
        }
        return email;
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong("id"), rs.getLong("org_id"), rs.getString("email"), rs.getString("name"),
                rs.getString("role"), Rows.instant(rs, "created_at"));
    }
}
