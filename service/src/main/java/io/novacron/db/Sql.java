package io.novacron.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGStatement;

/**
 * The one way the service binds parameters and reads common column types. SQL text is always a
 * constant or built from fixed fragments; values only ever travel as parameters.
 */
public final class Sql {
    /** Reads JSON columns and EXPLAIN output; answers are written by the web layer's mapper. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sql() {
    }

    /** Prepares {@code sql} with {@code args} bound in order (see {@link #bind}). */
    public static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        bind(ps, Arrays.asList(args));
        return ps;
    }

    /**
     * Prepares a read whose best plan depends on its values (org size, filter selectivity, LIMIT):
     * sent unnamed, so PostgreSQL plans it with the actual parameters every time. A named
     * server-side statement would switch to a generic plan after five runs, and the generic plan
     * of a filtered keyset page (LIMIT unknown, tag selectivity guessed) was measured 10x slower.
     */
    public static PreparedStatement prepareCustom(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.unwrap(PGStatement.class).setPrepareThreshold(0);
        return ps;
    }

    /** Binds in order: Instant as timestamptz, String[] as text[], JsonNode as its text, anything else as is. */
    public static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Instant t) {
                ps.setObject(i + 1, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            } else if (a instanceof String[] arr) {
                ps.setArray(i + 1, ps.getConnection().createArrayOf("text", arr));
            } else if (a instanceof JsonNode j) {
                ps.setString(i + 1, j.toString());
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    public static boolean exists(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next();
        }
    }

    public static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every row as column label -> value (timestamps as ISO-8601 text), for answers that pass rows through as JSON. */
    public static List<Map<String, Object>> rows(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            ResultSetMetaData md = rs.getMetaData();
            List<Map<String, Object>> out = new ArrayList<>();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    row.put(md.getColumnLabel(i), v instanceof java.sql.Timestamp t ? t.toInstant().toString() : v);
                }
                out.add(row);
            }
            return out;
        }
    }

    /** The planner's row estimate for {@code SELECT 1 FROM <from> WHERE <where>}: a plan, never a scan. */
    public static long estimate(Connection c, String from, String where, List<Object> args) throws SQLException {
        try (PreparedStatement ps = prepareCustom(c, "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + from + " WHERE " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return JSON.readTree(rs.getString(1)).path(0).path("Plan").path("Plan Rows").asLong();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("EXPLAIN output is not JSON", e);
            }
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** A nullable bigint column. */
    public static Long optLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    public static Double optDouble(ResultSet rs, String column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? null : v;
    }

    /** A json/jsonb column as a tree (never null for a NOT NULL column). */
    public static JsonNode json(ResultSet rs, String column) throws SQLException {
        try {
            return JSON.readTree(rs.getString(column));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON in " + column + " is unreadable", e);
        }
    }
}
