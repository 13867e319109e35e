package io.novacron.reads.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.reads.Inventory;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;

class DashboardCountersTest {
    @RegisterExtension
    static final TestApp service = new TestApp(DashboardCountersTest.class);

    static final String[] STATES = {"pending", "running", "stopped", "paused", "migrating", "error"};
    static long[] orgs = new long[3];
    static List<List<Long>> owners = new ArrayList<>();
    static long[] nodes = new long[5];
    static String orgToken;

    /** Rows where a maintained counter differs from a recount of vm (symmetric difference). */
    static final String DRIFT = """
            WITH truth_s AS (SELECT org_id, state, count(*)::bigint n, sum(cpu_cores)::bigint c, sum(memory_mb)::bigint m,
                                    sum(disk_gb)::bigint d FROM vm GROUP BY 1, 2),
                 kept_s AS (SELECT org_id, state, vm_count, cpu_cores, memory_mb, disk_gb FROM org_vm_stats
                             WHERE vm_count <> 0 OR cpu_cores <> 0 OR memory_mb <> 0 OR disk_gb <> 0),
                 truth_n AS (SELECT org_id, node_id, count(*)::bigint n FROM vm
                              WHERE node_id IS NOT NULL AND vm_state_holds_resources(state) GROUP BY 1, 2),
                 kept_n AS (SELECT org_id, node_id, vm_count FROM org_node_vms WHERE vm_count <> 0),
                 truth_o AS (SELECT org_id, owner_id, count(*)::bigint n FROM vm GROUP BY 1, 2),
                 kept_o AS (SELECT org_id, owner_id, vm_count FROM org_owner_vms WHERE vm_count <> 0),
                 truth_c AS (SELECT org_id, date_trunc('hour', created_at) b, count(*)::bigint n FROM vm GROUP BY 1, 2),
                 kept_c AS (SELECT org_id, bucket, vm_count FROM org_vm_created_1h WHERE vm_count <> 0),
                 truth_sum AS (SELECT org_id, count(DISTINCT node_id) FILTER (WHERE vm_state_holds_resources(state)),
                                      count(DISTINCT owner_id) FROM vm GROUP BY 1),
                 kept_sum AS (SELECT org_id, nodes_in_use, owners FROM org_summary WHERE nodes_in_use <> 0 OR owners <> 0),
                 truth_ps AS (SELECT org_id % 16, state, count(*)::bigint, sum(cpu_cores)::bigint, sum(memory_mb)::bigint,
                                     sum(disk_gb)::bigint FROM vm GROUP BY 1, 2),
                 kept_ps AS (SELECT stripe, state, vm_count, cpu_cores, memory_mb, disk_gb FROM platform_vm_stats
                              WHERE vm_count <> 0 OR cpu_cores <> 0 OR memory_mb <> 0 OR disk_gb <> 0),
                 truth_pc AS (SELECT date_trunc('hour', created_at), org_id % 16, count(*)::bigint FROM vm GROUP BY 1, 2),
                 kept_pc AS (SELECT bucket, stripe, vm_count FROM platform_vm_created_1h WHERE vm_count <> 0),
                 truth_po AS (SELECT org_id % 16, count(DISTINCT (org_id, owner_id)) FROM vm GROUP BY 1),
                 kept_po AS (SELECT stripe, owners FROM platform_counts WHERE owners <> 0),
                 truth_pn AS (SELECT node_id % 16, count(DISTINCT node_id) FROM vm
                               WHERE node_id IS NOT NULL AND vm_state_holds_resources(state) GROUP BY 1),
                 kept_pn AS (SELECT stripe, nodes_in_use FROM platform_counts WHERE nodes_in_use <> 0)
            SELECT 'stats ' || x::text FROM ((TABLE truth_s EXCEPT TABLE kept_s) UNION ALL (TABLE kept_s EXCEPT TABLE truth_s)) x
            UNION ALL SELECT 'node ' || x::text FROM ((TABLE truth_n EXCEPT TABLE kept_n) UNION ALL (TABLE kept_n EXCEPT TABLE truth_n)) x
            UNION ALL SELECT 'owner ' || x::text FROM ((TABLE truth_o EXCEPT TABLE kept_o) UNION ALL (TABLE kept_o EXCEPT TABLE truth_o)) x
            UNION ALL SELECT 'created ' || x::text FROM ((TABLE truth_c EXCEPT TABLE kept_c) UNION ALL (TABLE kept_c EXCEPT TABLE truth_c)) x
            UNION ALL SELECT 'summary ' || x::text FROM ((TABLE truth_sum EXCEPT TABLE kept_sum) UNION ALL (TABLE kept_sum EXCEPT TABLE truth_sum)) x
            UNION ALL SELECT 'platform stats ' || x::text FROM ((TABLE truth_ps EXCEPT TABLE kept_ps) UNION ALL (TABLE kept_ps EXCEPT TABLE truth_ps)) x
            UNION ALL SELECT 'platform created ' || x::text FROM ((TABLE truth_pc EXCEPT TABLE kept_pc) UNION ALL (TABLE kept_pc EXCEPT TABLE truth_pc)) x
            UNION ALL SELECT 'platform owners ' || x::text FROM ((TABLE truth_po EXCEPT TABLE kept_po) UNION ALL (TABLE kept_po EXCEPT TABLE truth_po)) x
            UNION ALL SELECT 'platform nodes ' || x::text FROM ((TABLE truth_pn EXCEPT TABLE kept_pn) UNION ALL (TABLE kept_pn EXCEPT TABLE truth_pn)) x""";

    @BeforeAll
    static void inventory() throws SQLException {
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            for (int i = 0; i < orgs.length; i++) {
                orgs[i] = inv.org("dash-org-" + i);
                List<Long> us = new ArrayList<>();
                for (int u = 0; u < 4; u++) {
                    us.add(inv.user(orgs[i], "u" + u + "@o" + i + ".test"));
                }
                owners.add(us);
            }
            for (int n = 0; n < nodes.length; n++) {
                nodes[n] = inv.node("dash-node-" + n, "z" + (n % 2), 4096, 1_000_000_000L, 1_000_000_000L);
            }
            orgToken = inv.token(orgs[0], "viewer");
        }
    }

    @Test
    void concurrentRandomWritersNeverMakeTheCountersDrift() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> done = new ArrayList<>();
        for (int w = 0; w < 6; w++) {
            long seed = 1000 + w;
            done.add(pool.submit(() -> writer(new Random(seed), 250)));
        }
        int committed = 0;
        for (Future<Integer> f : done) {
            committed += f.get();
        }
        pool.shutdown();
        assertThat(committed).isGreaterThan(500);
        assertThat(drift()).isEmpty();
        assertDashboardMatchesRecount(orgs[0]);
        assertDashboardMatchesRecount(null);
    }

    @Test
    void bulkCopyOfManyVmsIsCountedByTheStatementTrigger() throws Exception {
        StringBuilder rows = new StringBuilder();
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            int o = r.nextInt(orgs.length);
            String state = STATES[r.nextInt(STATES.length)];
            boolean onNode = !state.equals("stopped") && !state.equals("error") || r.nextBoolean();
            rows.append(orgs[o]).append('\t').append(owners.get(o).get(r.nextInt(4))).append('\t')
                    .append(onNode ? Long.toString(nodes[r.nextInt(nodes.length)]) : "\\N").append('\t')
                    .append("bulk-").append(i).append('\t').append(state).append('\t').append(1 + r.nextInt(2)).append('\t')
                    .append(512).append('\t').append(1).append('\t')
                    .append(Instant.now().minusSeconds(r.nextInt(48 * 3600))).append('\n');
        }
        try (Connection c = service.database().connect()) {
            long n = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, created_at) FROM STDIN",
                    new StringReader(rows.toString()));
            assertThat(n).isEqualTo(20_000);
        }
        assertThat(drift()).isEmpty();
        assertDashboardMatchesRecount(orgs[1]);
        try (Connection c = service.database().connect()) {
            new Inventory(c).exec("DELETE FROM vm WHERE name LIKE 'bulk-%'");
        }
        assertThat(drift()).isEmpty();
    }

    @Test
    void usageAveragesAreOverTheLastFiveMinuteBuckets() throws Exception {
        long org;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            org = inv.org("usage-org");
            inv.exec("INSERT INTO org_usage_1m VALUES (?, date_trunc('minute', now()), 10, 500, 200)", org);
            inv.exec("INSERT INTO org_usage_1m VALUES (?, date_trunc('minute', now()) - interval '4 minutes', 30, 900, 600)", org);
            inv.exec("INSERT INTO org_usage_1m VALUES (?, date_trunc('minute', now()) - interval '6 minutes', 50, 5000, 5000)", org);
        }
        JsonNode d = service.admin().get("/api/v1/dashboard?org_id=" + org).json();
        assertThat(d.path("cpu_usage_avg_5m").asDouble()).isEqualTo(1400.0 / 40);
        assertThat(d.path("memory_usage_avg_5m").asDouble()).isEqualTo(800.0 / 40);
        assertThat(d.path("vms").path("total").asLong()).isZero();
        assertThat(service.admin().get("/api/v1/dashboard?org_id=999999").status()).isEqualTo(404);
    }

    @Test
    void anOrgTokenSeesOnlyItsOwnDashboardAndGets304ForAnUnchangedOne() {
        Http http = service.as(orgToken);
        Http.Response first = http.get("/api/v1/dashboard");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("org_id").asLong()).isEqualTo(orgs[0]);
        assertThat(http.get("/api/v1/dashboard?org_id=" + orgs[1]).status()).isEqualTo(404);
        String etag = first.header("ETag");
        assertThat(etag).isNotBlank();
        Http.Response again = http.get("/api/v1/dashboard", Map.of("If-None-Match", etag));
        assertThat(again.status()).isIn(200, 304); // 200 only if a concurrent test changed org 0 meanwhile
        assertThat(http.get("/api/v1/dashboard?bogus=1").status()).isEqualTo(400);
    }

    private static int writer(Random r, int ops) throws SQLException {
        int committed = 0;
        try (Connection c = service.database().connect()) {
            c.setAutoCommit(false);
            Inventory inv = new Inventory(c);
            for (int i = 0; i < ops; i++) {
                int o = r.nextInt(orgs.length);
                long org = orgs[o];
                long owner = owners.get(o).get(r.nextInt(4));
                long node = nodes[r.nextInt(nodes.length)];
                String state = STATES[r.nextInt(STATES.length)];
                try {
                    switch (r.nextInt(8)) {
                        case 0, 1 -> inv.vm(org, owner, node, "w" + i, state, 1 + r.nextInt(8), 512L * (1 + r.nextInt(8)), "{}");
                        case 2 -> inv.exec("UPDATE vm SET state = ? WHERE id = (SELECT id FROM vm WHERE org_id = ? ORDER BY random() LIMIT 1)"
                                + " AND node_id IS NOT NULL", state, org);
                        case 3 -> inv.exec("UPDATE vm SET cpu_cores = ?, memory_mb = ? WHERE id = (SELECT id FROM vm WHERE org_id = ? ORDER BY random() LIMIT 1)",
                                1 + r.nextInt(16), 256L * (1 + r.nextInt(16)), org);
                        case 4 -> inv.exec("UPDATE vm SET node_id = ?, owner_id = ? WHERE id = (SELECT id FROM vm WHERE org_id = ? ORDER BY random() LIMIT 1)",
                                node, owner, org);
                        case 5 -> inv.exec("DELETE FROM vm WHERE id = (SELECT id FROM vm WHERE org_id = ? ORDER BY random() LIMIT 1)", org);
                        case 6 -> inv.exec("UPDATE vm SET state = 'stopped', node_id = NULL WHERE org_id = ? AND state = ?", org, state);
                        default -> inv.exec("UPDATE vm SET metadata = '{\"tags\":[\"x\"]}', created_at = created_at - interval '1 hour'"
                                + " WHERE id = (SELECT id FROM vm WHERE org_id = ? ORDER BY random() LIMIT 1)", org);
                    }
                    if (r.nextInt(10) == 0) {
                        c.rollback(); // an aborted change must leave no trace in the counters
                    } else {
                        c.commit();
                        committed++;
                    }
                } catch (SQLException e) {
                    c.rollback(); // deadlock or check violation: the statement's counter changes vanish with it
                }
            }
        }
        return committed;
    }

    static List<String> drift() throws SQLException {
        try (Connection c = service.database().connect();
             var st = c.createStatement(); var rs = st.executeQuery(DRIFT)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }

    private static void assertDashboardMatchesRecount(Long org) throws SQLException {
        JsonNode d = service.admin().get("/api/v1/dashboard" + (org == null ? "" : "?org_id=" + org)).json();
        Instant asOf = Instant.parse(d.path("as_of").asText());
        String where = org == null ? "true" : "org_id = " + org;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            assertThat(d.path("vms").path("total").asLong()).isEqualTo(inv.longs("SELECT count(*) FROM vm WHERE " + where).get(0));
            for (String s : STATES) {
                assertThat(d.path("vms").path("by_state").path(s).asLong()).as(s)
                        .isEqualTo(inv.longs("SELECT count(*) FROM vm WHERE " + where + " AND state = ?", s).get(0));
            }
            assertThat(d.path("allocated").path("cpu_cores").asLong()).isEqualTo(inv.longs(
                    "SELECT coalesce(sum(cpu_cores), 0) FROM vm WHERE " + where + " AND vm_state_holds_resources(state)").get(0));
            assertThat(d.path("running").path("memory_mb").asLong()).isEqualTo(inv.longs(
                    "SELECT coalesce(sum(memory_mb), 0) FROM vm WHERE " + where + " AND state = 'running'").get(0));
            assertThat(d.path("owners").asLong()).isEqualTo(inv.longs(
                    "SELECT count(DISTINCT owner_id) FROM vm WHERE " + where).get(0));
            assertThat(d.path("nodes_in_use").asLong()).isEqualTo(inv.longs(
                    "SELECT count(DISTINCT node_id) FROM vm WHERE " + where + " AND node_id IS NOT NULL AND vm_state_holds_resources(state)").get(0));
            assertThat(d.path("created_last_24h").asLong()).isEqualTo(inv.longs(
                    "SELECT count(*) FROM vm WHERE " + where + " AND created_at > ?::timestamptz - interval '24 hours'",
                    java.time.OffsetDateTime.ofInstant(asOf, java.time.ZoneOffset.UTC)).get(0));
        }
    }
}
