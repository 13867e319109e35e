package io.novacron.reads.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.reads.Inventory;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MonitoringTest {
    @RegisterExtension
    static final TestApp service = new TestApp(MonitoringTest.class);

    static long org;
    static long node1;
    static long node2;
    static String token;
    static String otherToken;

    @BeforeAll
    static void inventory() throws SQLException {
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            org = inv.org("mon");
            long other = inv.org("mon-other");
            long owner = inv.user(org, "m@m.test");
            long otherOwner = inv.user(other, "o@m.test");
            node1 = inv.node("mn-1", "z1", 512, 1_000_000_000L, 1_000_000L);
            node2 = inv.node("mn-2", "z2", 512, 1_000_000_000L, 1_000_000L);
            for (int i = 0; i < 120; i++) {
                long vm = inv.vm(org, owner, i % 2 == 0 ? node1 : node2, "vm-" + (1000 + i), i % 3 == 0 ? "paused" : "running",
                        1, 512, "{}");
                if (i == 119) {
                    continue; // never reported: not listed
                }
                // cpu ties every 10 VMs exercise the id tie-breaker; VM 0..9 are stale (10 minutes old)
                inv.exec("""
                        INSERT INTO vm_latest VALUES (?, ?, now() - CASE WHEN ? < 10 THEN interval '10 minutes' ELSE interval '5 seconds' END,
                                                      ?, ?, 1, 2, 3, 4)""", org, vm, i, (float) (i % 40), (float) (i % 13) * 7);
            }
            long foreign = inv.vm(other, otherOwner, node1, "foreign", "running", 1, 512, "{}");
            inv.exec("INSERT INTO vm_latest VALUES (?, ?, now(), 99.5, 1, 1, 1, 1, 1)", other, foreign);
            inv.exec("INSERT INTO node_latest VALUES (?, now(), 80, 60, 10, 1.5, 5, 6)", node1);
            inv.exec("INSERT INTO node_latest VALUES (?, now() - interval '1 hour', 20, 90, 10, 0.5, 5, 6)", node2);
            token = inv.token(org, "viewer");
            otherToken = inv.token(other, "viewer");
        }
    }

    @Test
    void topByCpuComesFirstAndCursorsWalkTheRestInOrder() throws SQLException {
        List<Long> expected = sql("""
                SELECT l.vm_id FROM vm_latest l WHERE l.org_id = ? ORDER BY cpu_usage DESC, vm_id DESC""", org);
        assertThat(walk("", 17)).isEqualTo(expected).hasSize(119);
        assertThat(walk("sort=-memory_usage", 50)).isEqualTo(sql("""
                SELECT l.vm_id FROM vm_latest l WHERE l.org_id = ? ORDER BY memory_usage DESC, vm_id DESC""", org));
        assertThat(walk("sort=name", 50)).isEqualTo(sql("""
                SELECT v.id FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id WHERE l.org_id = ?
                 ORDER BY v.name, v.id""", org));
        JsonNode top = page("limit=1").path("items").get(0);
        assertThat(top.path("cpu_usage").asDouble()).isEqualTo(39.0);
        assertThat(top.path("net_tx_bps").asDouble()).isEqualTo(4.0);
        assertThat(top.has("ts")).isTrue();
    }

    /**
     * vm_latest rows are not tied to vm by a foreign key: a deleted VM's row stays, and a row could
     * name another org's VM. Pages by usage probe each row's VM, so such rows must be skipped and
     * every page still be full (the walk goes on), under every sort.
     */
    @Test
    void samplesOfDeletedOrForeignVmsAreSkippedAndPagesStayFull() throws SQLException {
        long orphans;
        String orphansToken;
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            orphans = inv.org("mon-orphans");
            long owner = inv.user(orphans, "x@m.test");
            List<Long> vms = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                long vm = inv.vm(orphans, owner, node1, "ov-" + (100 + i), "running", 1, 512, "{}");
                inv.exec("INSERT INTO vm_latest VALUES (?, ?, now(), ?, ?, 1, 2, 3, 4)", orphans, vm, (float) (i * 3 % 50),
                        (float) (i * 7 % 50));
                vms.add(vm);
            }
            for (int i = 0; i < 30; i += 4) {
                inv.exec("DELETE FROM vm WHERE id = ?", vms.get(i)); // its vm_latest row stays
            }
            long foreign = sql("SELECT id FROM vm WHERE name = 'foreign'").get(0);
            inv.exec("INSERT INTO vm_latest VALUES (?, ?, now(), 100, 100, 1, 1, 1, 1)", orphans, foreign);
            orphansToken = inv.token(orphans, "viewer");
        }
        for (String[] sort : List.of(new String[] {"sort=-cpu_usage", "l.cpu_usage DESC, l.vm_id DESC"},
                new String[] {"sort=-memory_usage", "l.memory_usage DESC, l.vm_id DESC"}, new String[] {"sort=name", "v.name, v.id"})) {
            List<Long> ids = new ArrayList<>();
            String cursor = null;
            do {
                Http.Response r = service.as(orphansToken).get("/api/v1/monitoring/vms?limit=4&" + sort[0]
                        + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                JsonNode p = r.json();
                if (!p.path("next_cursor").isNull()) {
                    assertThat(p.path("items")).as("a page before the last is full").hasSize(4);
                }
                p.path("items").forEach(v -> ids.add(v.path("vm_id").asLong()));
                cursor = p.path("next_cursor").isNull() ? null : p.path("next_cursor").asText();
            } while (cursor != null);
            assertThat(ids).as(sort[0]).hasSize(22).isEqualTo(sql("SELECT v.id FROM vm_latest l JOIN vm v ON v.org_id = l.org_id"
                    + " AND v.id = l.vm_id WHERE l.org_id = ? ORDER BY " + sort[1], orphans));
        }
    }

    @Test
    void filtersAndTheStaleFlag() throws SQLException {
        assertThat(walk("node_id=" + node1 + "&state=paused&min_cpu=20", 5)).isEqualTo(sql("""
                SELECT l.vm_id FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id
                 WHERE l.org_id = ? AND v.node_id = ? AND v.state = 'paused' AND l.cpu_usage >= 20
                 ORDER BY cpu_usage DESC, vm_id DESC""", org, node1));
        List<Long> stale = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode p = page("limit=500" + (cursor == null ? "" : "&cursor=" + cursor));
            p.path("items").forEach(v -> {
                if (v.path("stale").asBoolean()) {
                    stale.add(v.path("vm_id").asLong());
                }
            });
            cursor = p.path("next_cursor").isNull() ? null : p.path("next_cursor").asText();
        } while (cursor != null);
        assertThat(stale).hasSize(10);
    }

    @Test
    void otherOrgsAndBadParametersAreRefused() {
        assertThat(service.as(otherToken).get("/api/v1/monitoring/vms").json().path("items")).hasSize(1);
        Http http = service.as(token);
        assertThat(http.get("/api/v1/monitoring/vms?sort=cpu_usage").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/monitoring/vms?min_cpu=abc").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/monitoring/vms?zone=z1").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/monitoring/nodes").status()).isEqualTo(403);
    }

    @Test
    void nodesWithTheirLatestSampleForTheAdmin() {
        JsonNode p = service.admin().get("/api/v1/monitoring/nodes").json();
        assertThat(p.path("items")).hasSize(2);
        JsonNode first = p.path("items").get(0);
        assertThat(first.path("node_id").asLong()).isEqualTo(node1);
        assertThat(first.path("load_1m").asDouble()).isEqualTo(1.5);
        assertThat(first.path("stale").asBoolean()).isFalse();
        assertThat(p.path("items").get(1).path("stale").asBoolean()).isTrue();
        JsonNode byMemory = service.admin().get("/api/v1/monitoring/nodes?sort=-memory_usage&zone=z2").json();
        assertThat(byMemory.path("items")).hasSize(1);
        assertThat(byMemory.path("items").get(0).path("node_id").asLong()).isEqualTo(node2);
    }

    private static List<Long> walk(String query, int limit) {
        List<Long> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode p = page((query.isEmpty() ? "" : query + "&") + "limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
            p.path("items").forEach(v -> ids.add(v.path("vm_id").asLong()));
            cursor = p.path("next_cursor").isNull() ? null : p.path("next_cursor").asText();
        } while (cursor != null);
        return ids;
    }

    private static JsonNode page(String query) {
        Http.Response r = service.as(token).get("/api/v1/monitoring/vms?" + query);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static List<Long> sql(String sql, Object... args) throws SQLException {
        try (Connection c = service.database().connect()) {
            return new Inventory(c).longs(sql, args);
        }
    }
}
