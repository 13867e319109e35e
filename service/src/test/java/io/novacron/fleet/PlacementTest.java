package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.config.ServiceConfig;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PlacementTest {
    @RegisterExtension
    static final TestApp service = new TestApp(PlacementTest.class, cfg -> {
        ServiceConfig.Database d = cfg.db();
        // A generous pool wait: this test measures correctness under contention, not latency.
        return cfg.withDb(new ServiceConfig.Database(d.url(), d.user(), d.password(), d.poolSize(),
                Duration.ofSeconds(30), d.statementTimeout()));
    });
    static Fleet fleet;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
    }

    @Test
    void withoutANodeIdTheVmGoesToTheOnlineNodeItFitsMostTightly() throws Exception {
        Fleet.Tenant t = fleet.tenant();
        clearNodes();
        long roomy = fleet.node(64, 262144, 4000);
        long tight = fleet.node(4, 8192, 100);
        long offlineTighter = fleet.node(2, 4096, 50);
        service.admin().patch("/api/v1/nodes/" + offlineTighter, Map.of("state", "offline"));
        assertThat(fleet.vm(t, 2, 4096, 40, null).get("node_id").asLong()).isEqualTo(tight);
        assertThat(fleet.vm(t, 4, 4096, 40, null).get("node_id").asLong()).as("no longer fits the tight node").isEqualTo(roomy);
        Http.Response none = t.http().post("/api/v1/vms", Fleet.vmBody(t, 128, 4096, 40));
        assertThat(none.status()).isEqualTo(409);
        assertThat(none.errorCode()).isEqualTo("insufficient_capacity");
    }

    @Test
    void parallelCreatesNeverOvercommitAndTheCountersEqualTheVms() throws Exception {
        Fleet.Tenant t = fleet.tenant();
        clearNodes();
        for (int i = 0; i < 3; i++) {
            fleet.node(10, 16384, 200);
        }
        int threads = 16;
        int perThread = 12;
        Set<Long> created = ConcurrentHashMap.newKeySet();
        List<String> refusals = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        Http.Response resp = t.http().post("/api/v1/vms",
                                Fleet.vmBody(t, 1 + r.nextInt(3), 512L * (1 + r.nextInt(4)), 5L * (1 + r.nextInt(6))));
                        if (resp.status() == 201) {
                            created.add(resp.json().get("id").asLong());
                        } else {
                            refusals.add(resp.status() + " " + resp.errorCode());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(created.size() + refusals.size()).isEqualTo(threads * perThread);
        assertThat(created).isNotEmpty();
        assertThat(refusals).as("the nodes are far too small for all").isNotEmpty()
                .allMatch(s -> s.equals("409 insufficient_capacity"));
        assertThat(created).allSatisfy(id -> assertThat(t.http().get("/api/v1/vms/" + id).status()).isEqualTo(200));
        assertCountersHold();
    }

    @Test
    void concurrentMigrationsKeepEveryNodeWithinCapacity() throws Exception {
        Fleet.Tenant t = fleet.tenant();
        clearNodes();
        List<Long> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(fleet.node(6, 8192, 100));
        }
        List<Long> vms = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            JsonNode vm = fleet.vm(t, 1 + i % 2, 1024, 10, nodes.get(i % nodes.size()));
            vms.add(vm.get("id").asLong());
            t.http().post("/api/v1/vms/" + vm.get("id").asLong() + "/actions/start", null);
        }
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int th = 0; th < 8; th++) {
                done.add(pool.submit(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    for (int i = 0; i < 25; i++) {
                        long vm = vms.get(r.nextInt(vms.size()));
                        Http.Response m = t.http().post("/api/v1/vms/" + vm + "/actions/migrate",
                                Map.of("target_node_id", nodes.get(r.nextInt(nodes.size()))));
                        statuses.merge(m.status(), 1, Integer::sum);
                        if (m.status() == 200) {
                            t.http().post("/api/v1/vms/" + vm + "/actions/resume", null);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(statuses.keySet()).as("only success, refusal or a same-node/illegal request").isSubsetOf(200, 400, 409);
        assertThat(statuses.get(200)).isPositive();
        assertCountersHold();
    }

    /** Every node: allocation within capacity and equal to the sum over its counted VMs. */
    private static void assertCountersHold() throws Exception {
        try (Connection c = service.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT n.id, n.cpu_cores, n.memory_mb, n.disk_gb, n.alloc_cpu_cores, n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count,
                            coalesce(sum(v.cpu_cores), 0) AS cpu, coalesce(sum(v.memory_mb), 0) AS mem,
                            coalesce(sum(v.disk_gb), 0) AS disk, count(v.id) AS vms
                     FROM node n LEFT JOIN vm v ON v.node_id = n.id AND vm_state_holds_resources(v.state)
                     GROUP BY n.id""")) {
            int nodes = 0;
            while (rs.next()) {
                nodes++;
                Map<String, Long> row = new HashMap<>();
                for (String k : List.of("cpu_cores", "memory_mb", "disk_gb", "alloc_cpu_cores", "alloc_memory_mb",
                        "alloc_disk_gb", "vm_count", "cpu", "mem", "disk", "vms")) {
                    row.put(k, rs.getLong(k));
                }
                assertThat(row.get("alloc_cpu_cores")).as("node %d %s", rs.getLong("id"), row).isBetween(0L, row.get("cpu_cores"))
                        .isEqualTo(row.get("cpu"));
                assertThat(row.get("alloc_memory_mb")).isBetween(0L, row.get("memory_mb")).isEqualTo(row.get("mem"));
                assertThat(row.get("alloc_disk_gb")).isBetween(0L, row.get("disk_gb")).isEqualTo(row.get("disk"));
                assertThat(row.get("vm_count")).isEqualTo(row.get("vms"));
            }
            assertThat(nodes).isPositive();
        }
    }

    /** Takes earlier tests' nodes out of placement so each test controls the candidates. */
    private static void clearNodes() throws Exception {
        try (Connection c = service.database().connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE node SET state = 'offline'");
        }
    }
}
