package io.novacron.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.config.ServiceConfig;
import io.novacron.support.Http;
import io.novacron.support.StreamingReplica;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service over a real streaming replica (a second PostgreSQL cluster made by
 * {@code .ci/replica.sh}): reads are served there, yet every acknowledged write is in the next
 * read of each critical read, also with the replica's replay paused, and a stopped replica costs
 * no request. The result cache is off so that every read reaches the router.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicaRoutingTest {
    @RegisterExtension
    @Order(1)
    static final StreamingReplica replica = new StreamingReplica();

    @RegisterExtension
    @Order(2)
    // A longer bounded wait than the default 10 ms: on a shared CI machine replay can take that
    // long, and these checks want the replica to serve some reads; freshness never depends on it.
    static final TestApp service = new TestApp(ReplicaRoutingTest.class, cfg -> cfg
            .withCache(cfg.cache().withEnabled(false))
            .withReplicas(new ServiceConfig.Replicas(List.of(replica.url(cfg.db().databaseName())), Duration.ofMillis(250),
                    cfg.replicas().maxLag())));

    private static Http org;
    private static long nodeId;
    private static long ownerId;
    private static int vms;
    private static int samples;
    private static long allocatedCpu;
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.HOURS);

    @BeforeAll
    static void tenant() {
        Http admin = service.admin();
        Http.Response o = admin.post("/api/v1/orgs", Map.of("name", "replicated"));
        assertThat(o.status()).as(o.toString()).isEqualTo(201);
        Http.Response tok = admin.post("/api/v1/orgs/" + o.json().get("id").asLong() + "/tokens", Map.of("name", "t"));
        org = service.as(tok.json().get("token").asText());
        Http.Response u = org.post("/api/v1/users", Map.of("email", "ops@replicated.example", "name", "Ops", "role", "admin"));
        ownerId = u.json().get("id").asLong();
        Http.Response n = admin.post("/api/v1/nodes", Map.of("name", "hv-r1", "zone", "z1", "cpu_cores", 4096,
                "memory_mb", 1_000_000, "disk_gb", 100_000));
        assertThat(n.status()).as(n.toString()).isEqualTo(201);
        nodeId = n.json().get("id").asLong();
    }

    @Test
    @Order(1)
    void readsAreServedByTheReplica() {
        awaitReplicaUp();
        long before = replicaReads();
        for (int i = 0; i < 20; i++) {
            assertThat(org.get("/api/v1/vms?limit=5").status()).isEqualTo(200);
        }
        assertThat(replicaReads()).isGreaterThan(before);
        JsonNode r = replicaStatus();
        assertThat(r.path("state").asText()).isEqualTo("up");
        assertThat(r.path("read_share").asDouble()).isGreaterThan(0);
        assertThat(service.admin().get("/metrics").body())
                .contains("novacron_db_reads_total{server=\"127.0.0.1:" + replica.port())
                .contains("novacron_db_replica_lag_bytes{replica=\"127.0.0.1:" + replica.port());
    }

    @Test
    @Order(2)
    void everyAcknowledgedWriteIsInTheNextReadOfEachCriticalRead() {
        long before = replicaReads();
        for (int i = 0; i < 15; i++) {
            writeThenReadEverything();
        }
        // Not a timing claim: only that the fresh path is the replica, not the primary, most of the time.
        assertThat(replicaReads()).isGreaterThan(before);
    }

    @Test
    @Order(3)
    void withReplayPausedAnswersStayFresh() throws Exception {
        try (Connection c = replica.connect(service.database().name()); Statement st = c.createStatement()) {
            st.execute("SELECT pg_wal_replay_pause()");
            try {
                for (int i = 0; i < 8; i++) {
                    writeThenReadEverything();
                }
                assertThat(replicaStatus().path("skipped_behind").asLong()).isGreaterThan(0);
            } finally {
                st.execute("SELECT pg_wal_replay_resume()");
            }
        }
    }

    @Test
    @Order(4)
    void aStoppedReplicaFailsNoRequestAndIsUsedAgainWhenItReturns() {
        replica.stop();
        try {
            for (int i = 0; i < 8; i++) {
                writeThenReadEverything();
            }
            assertThat(replicaStatus().path("state").asText()).startsWith("down");
        } finally {
            replica.start();
        }
        awaitReplicaUp();
        long before = replicaReads();
        for (int i = 0; i < 5; i++) {
            writeThenReadEverything();
        }
        for (int i = 0; i < 20 && replicaReads() == before; i++) {
            assertThat(org.get("/api/v1/vms?limit=5").status()).isEqualTo(200);
        }
        assertThat(replicaReads()).isGreaterThan(before);
    }

    /** One VM created and one sample sent, each checked in the very next read of every critical read. */
    private static void writeThenReadEverything() {
        int cpu = 1 + vms % 4;
        Http.Response created = org.post("/api/v1/vms", Map.of("name", "vm-" + vms, "owner_id", ownerId, "cpu_cores", cpu,
                "memory_mb", 512, "disk_gb", 10, "node_id", nodeId));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long vmId = created.json().get("id").asLong();
        vms++;
        allocatedCpu += cpu;

        Http.Response dash = org.get("/api/v1/dashboard");
        assertThat(dash.status()).as(dash.toString()).isEqualTo(200);
        assertThat(dash.json().path("vms").path("total").asInt()).as("dashboard after VM %d", vms).isEqualTo(vms);

        Http.Response list = org.get("/api/v1/vms?limit=1");
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(list.json().path("items").get(0).path("id").asLong()).as("listing after VM %d", vms).isEqualTo(vmId);

        Http.Response cap = service.admin().get("/api/v1/nodes/capacity?zone=z1");
        assertThat(cap.status()).as(cap.toString()).isEqualTo(200);
        JsonNode item = null;
        for (JsonNode n : cap.json().path("items")) {
            if (n.path("node_id").asLong() == nodeId) {
                item = n;
            }
        }
        assertThat(item).as(cap.toString()).isNotNull();
        assertThat(item.path("allocated").path("cpu_cores").asLong()).as("capacity after VM %d", vms).isEqualTo(allocatedCpu);

        double usage = 10 + vms % 80;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("vm_id", vmId);
        s.put("ts", T0.plusSeconds(60L * samples).toString());
        s.put("cpu_usage", usage);
        s.put("memory_usage", 40.0);
        for (String m : List.of("disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps")) {
            s.put(m, 100);
        }
        Http.Response ing = org.post("/api/v1/metrics/vms", Map.of("samples", List.of(s)));
        assertThat(ing.status()).as(ing.toString()).isEqualTo(202);
        samples++;

        Http.Response mon = org.get("/api/v1/monitoring/vms?sort=name&limit=200");
        assertThat(mon.status()).as(mon.toString()).isEqualTo(200);
        JsonNode seen = null;
        for (JsonNode v : mon.json().path("items")) {
            if (v.path("vm_id").asLong() == vmId) {
                seen = v;
            }
        }
        assertThat(seen).as("monitoring after sample %d: %s", samples, mon).isNotNull();
        assertThat(seen.path("cpu_usage").asDouble()).isEqualTo(usage);

        Http.Response agg = org.get("/api/v1/metrics/query?scope=org&metric=cpu_usage&agg=count&step=1d&from="
                + T0.minus(1, ChronoUnit.DAYS) + "&to=" + T0.plus(2, ChronoUnit.DAYS));
        assertThat(agg.status()).as(agg.toString()).isEqualTo(200);
        double count = 0;
        for (JsonNode p : agg.json().path("series").get(0).path("points")) {
            count += p.get(1).asDouble();
        }
        assertThat(count).as("aggregation after sample %d: %s", samples, agg).isEqualTo(samples);
    }

    private static JsonNode replicaStatus() {
        Http.Response h = service.admin().get("/api/v1/admin/db/health");
        assertThat(h.status()).as(h.toString()).isEqualTo(200);
        return h.json().path("replicas").path("replicas").get(0);
    }

    private static long replicaReads() {
        return replicaStatus().path("reads_served").asLong();
    }

    /**
     * Bounded: the monitor probes every 250 ms and a standby replays the test database's creation
     * within seconds on an idle machine; on a machine shared with other builds replay has been seen
     * to take minutes, hence the generous bound.
     */
    private static void awaitReplicaUp() {
        for (int i = 0; i < 1200 && !replicaStatus().path("state").asText().equals("up"); i++) {
            sleep(250);
        }
        assertThat(replicaStatus().path("state").asText()).as("replica after 5 minutes; its WAL receiver: %s",
                replica.walReceiver()).isEqualTo("up");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
