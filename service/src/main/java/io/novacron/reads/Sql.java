package io.novacron.reads;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.novacron.web.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.postgresql.PGStatement;

/** Binding and small shared steps of the read queries (WHERE clauses built from fixed fragments). */
public final class Sql {
    private Sql() {
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

    /** Binds in order: Instant as timestamptz, String[] as text[], anything else as is. */
    public static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Instant t) {
                ps.setObject(i + 1, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
            } else if (a instanceof String[] arr) {
                ps.setArray(i + 1, ps.getConnection().createArrayOf("text", arr));
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }

    /** The planner's row estimate for {@code SELECT 1 FROM <from> WHERE <where>}: a plan, never a scan. */
    public static long estimate(Connection c, String from, String where, List<Object> args) throws SQLException {
        try (PreparedStatement ps = prepareCustom(c, "EXPLAIN (FORMAT JSON) SELECT 1 FROM " + from + " WHERE " + where)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Json.MAPPER.readTree(rs.getString(1)).path(0).path("Plan").path("Plan Rows").asLong();
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("EXPLAIN output is not JSON", e);
            }
        }
    }

    public static byte[] json(Object value) {
        try {
            return Json.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response is not serializable", e);
        }
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
}
