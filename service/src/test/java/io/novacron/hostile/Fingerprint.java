package io.novacron.hostile;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A digest of every row of every table of the service's schema (partitions included, their
 * parents not, so each row counts once): row count and an order-independent hash of the rows'
 * text. Two equal fingerprints mean no row was added, removed or changed.
 */
public final class Fingerprint {
    private Fingerprint() {
    }

    // Leaf tables only: a partitioned parent's rows are its partitions' rows.
    private static final String TABLES = """
            SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1""";

    /** Table name → "rows:hash". */
    public static Map<String, String> of(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, String> digest = new TreeMap<>();
        for (String table : tables) {
            // Table names come from the catalog (regclass text is already quoted where needed).
            String sql = "SELECT count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '-') FROM "
                    + table + " t";
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                digest.put(table, rs.getString(1));
            }
        }
        return digest;
    }

    /** Tables whose digest differs (or exists on one side only). */
    public static List<String> changed(Map<String, String> before, Map<String, String> after) {
        List<String> out = new ArrayList<>();
        for (String t : before.keySet()) {
            if (!before.get(t).equals(after.get(t))) {
                out.add(t);
            }
        }
        for (String t : after.keySet()) {
            if (!before.containsKey(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** Total rows over all tables. */
    public static long rows(Map<String, String> digest) {
        return digest.values().stream().mapToLong(v -> Long.parseLong(v.substring(0, v.indexOf(':')))).sum();
    }
}
