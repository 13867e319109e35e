package io.novacron.reads.capacity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.reads.Inventory;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NodeCapacityTest {
    @RegisterExtension
    static final TestApp service = new TestApp(NodeCapacityTest.class);

    static long org;
    static long owner;
    static List<Long> nodes = new ArrayList<>();
    static String token;

    @BeforeAll
    static void inventory() throws SQLException {
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            org = inv.org("cap");
            owner = inv.user(org, "c@c.test");
            for (int i = 0; i < 12; i++) {
                nodes.add(inv.node("cn-" + i, i < 6 ? "east" : "west", 8 + i, 16_384L * (1 + i % 3), 500));
            }
            inv.exec("UPDATE node SET state = 'maintenance' WHERE id = ?", nodes.get(11));
            for (int i = 0; i < 12; i++) {
                inv.vm(org, owner, nodes.get(i), "cvm-" + i, "running", i % 5 + 1, 2048L * (1 + i % 4), "{}");
            }
            inv.exec("INSERT INTO node_latest VALUES (?, now(), 42.5, 10, 10, 1, 1, 1)", nodes.get(0));
            token = inv.token(org, "admin");
        }
    }

    @Test
    void nodesAreOrderedByFreeCpuWithTotalsOverTheMatch() throws SQLException {
        JsonNode p = get("/api/v1/nodes/capacity?limit=5");
        List<Long> ids = new ArrayList<>();
        JsonNode page = p;
        while (true) {
            page.path("items").forEach(n -> ids.add(n.path("node_id").asLong()));
            if (page.path("next_cursor").isNull()) {
                break;
            }
            page = get("/api/v1/nodes/capacity?limit=5&cursor=" + page.path("next_cursor").asText());
        }
        assertThat(ids).isEqualTo(sql("SELECT id FROM node ORDER BY cpu_cores - alloc_cpu_cores DESC, id DESC"));
        assertThat(p.path("total").asLong()).isEqualTo(12);
        JsonNode totals = p.path("totals");
        assertThat(totals.path("allocated").path("cpu_cores").asLong()).isEqualTo(sql("SELECT sum(cpu_cores) FROM vm").get(0));
        assertThat(totals.path("free").path("cpu_cores").asLong())
                .isEqualTo(sql("SELECT sum(cpu_cores - alloc_cpu_cores) FROM node").get(0));
        JsonNode withSample = null;
        for (JsonNode n : sqlPageAll()) {
            if (n.path("node_id").asLong() == nodes.get(0)) {
                withSample = n;
            }
        }
        assertThat(withSample.path("cpu_usage").asDouble()).isEqualTo(42.5);
        assertThat(withSample.path("vm_count").asLong()).isEqualTo(1);
        assertThat(withSample.path("capacity").path("cpu_cores").asLong()).isEqualTo(8);
        assertThat(withSample.path("free").path("cpu_cores").asLong()).isEqualTo(7);
    }

    @Test
    void fitsZoneAndStateFilters() throws SQLException {
        JsonNode p = get("/api/v1/nodes/capacity?zone=east&state=online&fits_cpu=8&fits_memory_mb=20000&sort=-free_memory_mb");
        assertThat(p.path("items").findValues("node_id").stream().map(JsonNode::asLong).toList()).isEqualTo(sql("""
                SELECT id FROM node WHERE zone = 'east' AND state = 'online' AND cpu_cores - alloc_cpu_cores >= 8
                   AND memory_mb - alloc_memory_mb >= 20000 ORDER BY memory_mb - alloc_memory_mb DESC, id DESC"""));
        assertThat(p.path("totals").path("nodes").asLong()).isEqualTo(p.path("items").size());
    }

    @Test
    void aFilterNoNodeMatchesGivesAnEmptyPageAndZeroTotals() {
        JsonNode p = get("/api/v1/nodes/capacity?zone=nowhere");
        assertThat(p.path("items").size()).isZero();
        assertThat(p.path("next_cursor").isNull()).isTrue();
        assertThat(p.path("total").asLong()).isZero();
        assertThat(p.path("totals").path("nodes").asLong()).isZero();
        assertThat(p.path("totals").path("capacity").path("cpu_cores").asLong()).isZero();
    }

    @Test
    void pagesByFreeMemoryAfterACursorKeepTheOrderAndTheTotals() throws SQLException {
        List<Long> ids = new ArrayList<>();
        JsonNode page = get("/api/v1/nodes/capacity?zone=west&sort=-free_memory_mb&limit=4");
        long total = page.path("total").asLong();
        while (true) {
            assertThat(page.path("total").asLong()).isEqualTo(total);
            page.path("items").forEach(n -> ids.add(n.path("node_id").asLong()));
            if (page.path("next_cursor").isNull()) {
                break;
            }
            page = get("/api/v1/nodes/capacity?zone=west&sort=-free_memory_mb&limit=4&cursor="
                    + page.path("next_cursor").asText());
        }
        assertThat(ids).isEqualTo(sql("SELECT id FROM node WHERE zone = 'west' ORDER BY memory_mb - alloc_memory_mb DESC, id DESC"));
        assertThat(total).isEqualTo(ids.size());
    }

    @Test
    void allocationFollowsEveryCommittedVmChange() throws SQLException {
        long node = nodes.get(3);
        long before = freeCpu(node);
        try (Connection c = service.database().connect()) {
            new Inventory(c).vm(org, owner, node, "grow", "running", 2, 512, "{}");
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (freeCpu(node) != before - 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(freeCpu(node)).isEqualTo(before - 2);
        try (Connection c = service.database().connect()) {
            new Inventory(c).exec("DELETE FROM vm WHERE name = 'grow'");
        }
    }

    @Test
    void onlyThePlatformAdminAndKnownParameters() {
        assertThat(service.as(token).get("/api/v1/nodes/capacity").status()).isEqualTo(403);
        assertThat(service.admin().get("/api/v1/nodes/capacity?sort=free_cpu").status()).isEqualTo(400);
        assertThat(service.admin().get("/api/v1/nodes/capacity?fits_cpu=-1").status()).isEqualTo(400);
        assertThat(service.admin().get("/api/v1/nodes/capacity?fits_gpu=1").status()).isEqualTo(400);
    }

    private static long freeCpu(long node) {
        for (JsonNode n : sqlPageAll()) {
            if (n.path("node_id").asLong() == node) {
                return n.path("free").path("cpu_cores").asLong();
            }
        }
        throw new AssertionError("node " + node + " not listed");
    }

    private static JsonNode sqlPageAll() {
        return get("/api/v1/nodes/capacity?limit=500").path("items");
    }

    private static JsonNode get(String path) {
        var r = service.admin().get(path);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static List<Long> sql(String sql) throws SQLException {
        try (Connection c = service.database().connect()) {
            return new Inventory(c).longs(sql);
        }
    }
}
