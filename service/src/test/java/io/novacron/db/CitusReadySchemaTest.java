package io.novacron.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.db.Distribution.Placement;
import io.novacron.support.FreshDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The schema stays distributable by Citus as {@link Distribution} places it: read from the catalog
 * of a freshly migrated database, every table is placed; in every distributed table, keys and
 * unique indexes include the distribution column; foreign keys stay inside a colocation group
 * through that column, or point at reference tables; and the SQL in the code joins tenant tables
 * only on {@code org_id}.
 */
class CitusReadySchemaTest {
    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase(CitusReadySchemaTest.class);

    private static Database db;

    @BeforeAll
    static void migrate() {
        db = Database.open(fresh.config().db(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    // Tables and partitioned tables, partitions left out (they follow their parent).
    private static final String TABLES = """
            SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition""";

    // Primary keys, unique constraints and unique indexes (also expression ones), with the plain
    // columns of their key (an expression contributes none).
    private static final String UNIQUE_KEYS = """
            SELECT t.relname, i.relname,
                   array(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) k
                         JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k)::text[]
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE x.indisunique AND t.relnamespace = 'public'::regnamespace AND NOT t.relispartition
              AND t.relkind IN ('r', 'p')""";

    // Foreign keys as (from table, to table, [from col, to col] pairs); partitions' copies left out.
    private static final String FOREIGN_KEYS = """
            SELECT f.relname, r.relname, k.conname,
                   array(SELECT fa.attname || '=' || ra.attname
                         FROM unnest(k.conkey, k.confkey) AS p(fk, rk)
                         JOIN pg_attribute fa ON fa.attrelid = k.conrelid AND fa.attnum = p.fk
                         JOIN pg_attribute ra ON ra.attrelid = k.confrelid AND ra.attnum = p.rk)::text[]
            FROM pg_constraint k
            JOIN pg_class f ON f.oid = k.conrelid
            JOIN pg_class r ON r.oid = k.confrelid
            WHERE k.contype = 'f' AND k.conparentid = 0 AND f.relnamespace = 'public'::regnamespace
              AND NOT f.relispartition""";

    private static final String NULLABLE_COLUMN = """
            SELECT NOT a.attnotnull FROM pg_attribute a
            WHERE a.attrelid = ?::regclass AND a.attname = ? AND NOT a.attisdropped""";

    @Test
    void everyTableHasAPlacementAndEveryPlacementATable() throws SQLException {
        List<String> tables = strings(TABLES);
        assertThat(new TreeSet<>(tables)).as("tables in the catalog vs Distribution.TABLES")
                .isEqualTo(new TreeSet<>(Distribution.TABLES.keySet()));
    }

    @Test
    void everyDistributedTableHasItsDistributionColumnNotNull() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = fresh.connect(); PreparedStatement ps = c.prepareStatement(NULLABLE_COLUMN)) {
            Distribution.TABLES.forEach((t, p) -> {
                String col = Distribution.column(p);
                if (col == null) {
                    return;
                }
                try {
                    ps.setString(1, t);
                    ps.setString(2, col);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            problems.add(t + " has no column " + col);
                        } else if (rs.getBoolean(1)) {
                            problems.add(t + "." + col + " is nullable");
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyKeyAndUniqueIndexOfADistributedTableIncludesItsDistributionColumn() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = fresh.connect(); PreparedStatement ps = c.prepareStatement(UNIQUE_KEYS);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String table = rs.getString(1);
                String col = Distribution.column(Distribution.TABLES.getOrDefault(table, Placement.COORDINATOR));
                List<String> key = List.of((String[]) rs.getArray(3).getArray());
                if (col != null && !key.contains(col)) {
                    problems.add(rs.getString(2) + " on " + table + " " + key + " lacks " + col);
                }
            }
        }
        assertThat(problems).as("unique keys a Citus table distributed by its column cannot enforce").isEmpty();
    }

    @Test
    void foreignKeysStayInAColocationGroupOrPointAtReferenceTables() throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection c = fresh.connect(); PreparedStatement ps = c.prepareStatement(FOREIGN_KEYS);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String from = rs.getString(1);
                String to = rs.getString(2);
                String name = rs.getString(3);
                List<String> pairs = List.of((String[]) rs.getArray(4).getArray());
                Placement pf = Distribution.TABLES.getOrDefault(from, Placement.COORDINATOR);
                Placement pt = Distribution.TABLES.getOrDefault(to, Placement.COORDINATOR);
                String col = Distribution.column(pf);
                if (pt == Placement.REFERENCE && pf != Placement.COORDINATOR) {
                    continue; // distributed or reference -> reference: allowed
                }
                if (pf == pt && col != null && pairs.contains(col + "=" + col)) {
                    continue; // within the group, through the distribution column
                }
                problems.add(name + ": " + pf + " " + from + " -> " + pt + " " + to + " " + pairs);
            }
        }
        assertThat(problems).as("foreign keys Citus cannot keep between shards").isEmpty();
    }

    /**
     * A documented scan, not a parser: the SQL in string literals and text blocks of the main
     * sources, file by file, joined in order (so a statement built from several constants is read
     * as one). Each {@code JOIN <tenant table>} must be joined on an {@code org_id} condition (in
     * its ON or USING clause, or in the WHERE of a LATERAL subquery over the table): a tenant join
     * on anything else is a join between shards. Comma joins and tenant tables in IN/EXISTS
     * subqueries are not seen by this scan; the code uses neither between tenant tables (each
     * such subquery filters {@code org_id = ?} itself, e.g. NodeRoutes).
     */
    @Test
    void tenantTablesAreJoinedOnlyOnOrgId() throws IOException {
        List<String> tenant = Distribution.TABLES.entrySet().stream().filter(e -> e.getValue() == Placement.TENANT)
                .map(Map.Entry::getKey).toList();
        String names = String.join("|", tenant);
        // JOIN vm v ON ... (up to the next clause keyword), or JOIN LATERAL (SELECT ... FROM vm x WHERE ...)
        Pattern join = Pattern.compile("(?is)\\bJOIN\\s+(" + names + ")\\b\\s*(?:AS\\s+)?\\w*\\s*(ON|USING)\\b(.*?)"
                + "(?=\\bJOIN\\b|\\bWHERE\\b|\\bORDER\\b|\\bGROUP\\b|\\bLIMIT\\b|\\)\\s*\\w+\\s*(?:ON|$)|$)");
        Pattern lateral = Pattern.compile("(?is)\\bJOIN\\s+LATERAL\\s*\\(\\s*SELECT\\b.*?\\bFROM\\s+(" + names
                + ")\\b(.*?)\\)\\s*\\w+");
        Pattern anyTenantJoin = Pattern.compile("(?is)\\bJOIN\\s+(?:LATERAL\\s*\\(\\s*SELECT\\b.*?\\bFROM\\s+)?(" + names + ")\\b");
        List<String> problems = new ArrayList<>();
        Map<Path, Integer> seen = new HashMap<>();
        Path root = Path.of("src/main/java");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String sql = literals(Files.readString(f));
                int checked = 0;
                Matcher m = join.matcher(sql);
                while (m.find()) {
                    checked++;
                    if (!m.group(3).toLowerCase().contains("org_id")) {
                        problems.add(f + ": JOIN " + m.group(1) + " " + m.group(2) + " " + m.group(3).strip());
                    }
                }
                Matcher l = lateral.matcher(sql);
                while (l.find()) {
                    checked++;
                    if (!l.group(2).toLowerCase().contains("org_id")) {
                        problems.add(f + ": JOIN LATERAL over " + l.group(1) + " without org_id: " + l.group(2).strip());
                    }
                }
                Matcher all = anyTenantJoin.matcher(sql);
                int joins = 0;
                while (all.find()) {
                    joins++;
                }
                if (joins != checked) {
                    problems.add(f + ": " + joins + " joins of tenant tables, " + checked + " understood by this scan");
                }
                seen.put(f, joins);
            }
        }
        assertThat(problems).as("tenant joins without org_id (cross-shard on Citus)").isEmpty();
        assertThat(seen.values().stream().mapToInt(Integer::intValue).sum()).as("the scan sees the code's joins").isPositive();
    }

    @Test
    void scalingDocumentListsTheDistributionCallsOfTheCode() throws IOException {
        String doc = Files.readString(Path.of("../docs/SCALING.md"));
        assertThat(doc).contains(String.join("\n", Distribution.citusDdl()));
    }

    /** The contents of every string literal and text block, in order, separated by spaces. */
    static String literals(String java) {
        StringBuilder out = new StringBuilder();
        Matcher m = Pattern.compile("(?s)\"\"\"(.*?)\"\"\"|\"((?:[^\"\\\\\\n]|\\\\.)*)\"|//[^\\n]*|/\\*.*?\\*/").matcher(java);
        while (m.find()) {
            if (m.group(1) != null) {
                out.append(m.group(1)).append(' ');
            } else if (m.group(2) != null) {
                out.append(m.group(2)).append(' ');
            }
        }
        return out.toString();
    }

    private static List<String> strings(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = fresh.connect(); PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
