package io.novacron.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.ApiException;
import io.novacron.web.Json;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

/** JDBC binding and reading shared by the fleet repositories. */
final class Rows {
    private Rows() {
    }

    /** Prepares {@code sql} and binds {@code args} in order (Instant as timestamptz, JsonNode as text). */
    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Instant t) {
                ps.setObject(i + 1, t.atOffset(ZoneOffset.UTC));
            } else if (a instanceof JsonNode j) {
                ps.setString(i + 1, j.toString());
            } else {
                ps.setObject(i + 1, a);
            }
        }
        return ps;
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    static Long optLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static JsonNode json(ResultSet rs, String column) throws SQLException {
        try {
            return Json.MAPPER.readTree(rs.getString(column));
        } catch (IOException e) {
            throw new UncheckedIOException("stored JSON is unreadable", e);
        }
    }

    /**
     * The organization a by-id lookup is confined to: an org token's own; for the admin the
     * {@code org_id} it named, or null (any organization, the id alone is unique).
     */
    static Long scopeForId(Principal p, Params params) {
        if (p.isAdmin()) {
            return params.optLong("org_id");
        }
        return p.orgScope(params);
    }

    /** Sizes arrive as JSON numbers; out of the schema's range is a 400 naming the field. */
    static void requireRange(String field, Long value, long min, long max) {
        if (value == null) {
            throw ApiException.invalid(field, "'" + field + "' is required");
        }
        if (value < min || value > max) {
            throw ApiException.invalid(field, "'" + field + "' must be between " + min + " and " + max,
                    Map.of("min", min, "max", max));
        }
    }

    static String requireText(String field, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' is required and must not be blank");
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid(field, "'" + field + "' must be at most " + maxLength + " characters");
        }
        return value;
    }

    static String requireRole(String field, String role) {
        if (!"admin".equals(role) && !"operator".equals(role) && !"viewer".equals(role)) {
            throw ApiException.invalid(field, "'" + field + "' must be one of admin, operator, viewer");
        }
        return role;
    }
}
