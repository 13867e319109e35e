package io.novacron.fleet;

import io.novacron.db.Sql;
import io.novacron.fleet.OrgRoutes.Org;
import io.novacron.web.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** The SQL of organizations and their API tokens. */
final class OrgRepository {
    /** A token just revoked: its organization and name (for the audit row). */
    record Revoked(long orgId, String name) {
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

    private OrgRepository() {
    }

    /** The new organization; a taken name is the unique violation, left to the caller. */
    static Org insert(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, INSERT_ORG, name); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return org(rs);
        }
    }

    /** Up to {@code limit} organizations after {@code afterId}; {@code only}, when set, is the one an org token sees. */
    static List<Org> page(Connection c, long afterId, Long only, int limit) throws SQLException {
        List<Org> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, LIST_ORGS, afterId, only, only, limit);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                items.add(org(rs));
            }
        }
        return items;
    }

    static long count(Connection c, Long only) throws SQLException {
        return Sql.count(c, COUNT_ORGS, only, only);
    }

    /** The organization, or a 404. */
    static Org find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, GET_ORG, id); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw ApiException.notFound("organization", id);
            }
            return org(rs);
        }
    }

    /** Stores a token by its hash (the secret itself is never stored); returns its id. */
    static long insertToken(Connection c, long orgId, String name, String role, byte[] hash) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, INSERT_TOKEN, orgId, name, role, hash); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Revokes a live token within {@code scope} (null: any organization); null when none was live. */
    static Revoked revokeToken(Connection c, long id, Long scope) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, REVOKE_TOKEN, id, scope, scope); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? new Revoked(rs.getLong("org_id"), rs.getString("name")) : null;
        }
    }

    static boolean tokenExists(Connection c, long id, Long scope) throws SQLException {
        return Sql.exists(c, TOKEN_EXISTS, id, scope, scope);
    }

    private static Org org(ResultSet rs) throws SQLException {
        return new Org(rs.getLong("id"), rs.getString("name"), Sql.instant(rs, "created_at"));
    }
}
