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
import java.sql.SQLException;
import java.time.Instant;
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
        String name = Fields.requireText("name", body.name(), 200);
        String role = body.role() == null ? "viewer" : Fields.requireRole("role", body.role());
        User user = tx.inTransaction(c -> {
            if (!UserRepository.orgExists(c, orgId)) {
                throw ApiException.notFound("organization", orgId);
            }
            User u;
            try {
                u = UserRepository.insert(c, orgId, email, name, role);
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
            List<User> items = UserRepository.page(c, orgId, afterId, limit + 1);
            String next = Cursor.next(items, limit, "id", x -> List.of(x.id()));
            return new Page<>(items, next, UserRepository.count(c, orgId), false);
        }));
    }

    private void get(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        ctx.json(tx.read(c -> UserRepository.find(c, id, scope, false)));
    }

    private void patch(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        UserPatch body = Bodies.readPatch(ctx, UserPatch.class);
        User updated = tx.inTransaction(c -> {
            User u = UserRepository.find(c, id, scope, true);
            p.requireOrgAdmin();
            Map<String, Object> changed = new LinkedHashMap<>();
            String email = u.email();
            if (body.email() != null && !body.email().equals(email)) {
                email = email(body.email());
                changed.put("email", email);
            }
            String name = u.name();
            if (body.name() != null && !body.name().equals(name)) {
                name = Fields.requireText("name", body.name(), 200);
                changed.put("name", name);
            }
            String role = u.role();
            if (body.role() != null && !body.role().equals(role)) {
                role = Fields.requireRole("role", body.role());
                changed.put("role", role);
            }
            if (changed.isEmpty()) {
                return u;
            }
            User n;
            try {
                n = UserRepository.update(c, u, email, name, role);
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
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "user");
        tx.inTransaction(c -> {
            User u = UserRepository.find(c, id, scope, true);
            p.requireOrgAdmin();
            // The row lock above keeps a concurrent VM create for this owner waiting on the FK check,
            // and the FK itself refuses a delete that would orphan a VM.
            if (UserRepository.ownsVms(c, u)) {
                throw ApiException.conflict("user " + id + " still owns VMs; delete them or give them another owner first");
            }
            UserRepository.delete(c, u);
            Audit.record(c, u.orgId(), p, "user.delete", "user", id, Map.of("email", u.email()));
            return null;
        });
        ctx.status(204);
    }

    private static String email(String email) {
        Fields.requireText("email", email, 320);
        int at = email.indexOf('@');
        if (at < 1 || at == email.length() - 1 || email.chars().anyMatch(Character::isWhitespace)) {
            throw ApiException.invalid("email", "'email' must be an e-mail address like name@example.com");
        }
        return email;
    }
}
