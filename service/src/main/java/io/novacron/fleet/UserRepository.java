package io.novacron.fleet;

import io.novacron.db.Sql;
import io.novacron.fleet.UserRoutes.User;
import io.novacron.web.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The SQL of the app_user table. */
final class UserRepository {
    // PK org (id)
    private static final String ORG_EXISTS = "SELECT 1 FROM org WHERE id = ?";
    private static final String COLUMNS = "org_id, id, email, name, role, created_at";
    private static final String INSERT = "INSERT INTO app_user (org_id, email, name, role) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS;
    // PK app_user (org_id, id): keyset within the organization.
    private static final String LIST = "SELECT " + COLUMNS + " FROM app_user WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?";
    private static final String COUNT = "SELECT count(*) FROM app_user WHERE org_id = ?";
    // PK (org_id, id) for org tokens; the admin's org-less lookup scans app_user (users are few per platform).
    private static final String GET = "SELECT " + COLUMNS + " FROM app_user WHERE id = ? AND (?::bigint IS NULL OR org_id = ?)";
    private static final String UPDATE =
            "UPDATE app_user SET email = ?, name = ?, role = ? WHERE org_id = ? AND id = ? RETURNING " + COLUMNS;
    // vm_org_owner_idx (org_id, owner_id)
    private static final String OWNS_VMS = "SELECT 1 FROM vm WHERE org_id = ? AND owner_id = ? LIMIT 1";
    private static final String DELETE = "DELETE FROM app_user WHERE org_id = ? AND id = ?";

    private UserRepository() {
    }

    static boolean orgExists(Connection c, long orgId) throws SQLException {
        return Sql.exists(c, ORG_EXISTS, orgId);
    }

    /** The new user; a taken e-mail is the unique violation, left to the caller. */
    static User insert(Connection c, long orgId, String email, String name, String role) throws SQLException {
        return one(c, INSERT, orgId, email, name, role);
    }

    static List<User> page(Connection c, long orgId, long afterId, int limit) throws SQLException {
        List<User> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, LIST, orgId, afterId, limit); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                items.add(user(rs));
            }
        }
        return items;
    }

    static long count(Connection c, long orgId) throws SQLException {
        return Sql.count(c, COUNT, orgId);
    }

    /** The user within {@code scope} (null: any organization), optionally locked; else a 404. */
    static User find(Connection c, long id, Long scope, boolean forUpdate) throws SQLException {
        User u = one(c, forUpdate ? GET + " FOR UPDATE" : GET, id, scope, scope);
        if (u == null) {
            throw ApiException.notFound("user", id);
        }
        return u;
    }

    static User update(Connection c, User u, String email, String name, String role) throws SQLException {
        return one(c, UPDATE, email, name, role, u.orgId(), u.id());
    }

    static boolean ownsVms(Connection c, User u) throws SQLException {
        return Sql.exists(c, OWNS_VMS, u.orgId(), u.id());
    }

    static void delete(Connection c, User u) throws SQLException {
        Sql.update(c, DELETE, u.orgId(), u.id());
    }

    private static User one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? user(rs) : null;
        }
    }

    private static User user(ResultSet rs) throws SQLException {
        return new User(rs.getLong("id"), rs.getLong("org_id"), rs.getString("email"), rs.getString("name"),
                rs.getString("role"), Sql.instant(rs, "created_at"));
    }
}
