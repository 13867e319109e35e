package io.novacron.metrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.metrics.MetricsFixture;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsIngestTest {
    @RegisterExtension
    static final TestApp service = new TestApp(MetricsIngestTest.class);
    static MetricsFixture fx;
    static long orgA, orgB, vmA, vmA2, vmB, vmL, node, node2;
    static String tokenA, viewerA;
    static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(3, ChronoUnit.HOURS);

    @BeforeAll
    static void inventory() throws Exception {
        fx = new MetricsFixture(service.database());
        orgA = fx.org("a");
        orgB = fx.org("b");
        vmA = fx.vm(orgA, "a1");
        vmA2 = fx.vm(orgA, "a2");
        vmB = fx.vm(orgB, "b1");
        vmL = fx.vm(orgA, "latest");
        node = fx.node("n1");
        node2 = fx.node("n2");
        tokenA = fx.token(orgA, "operator");
        viewerA = fx.token(orgA, "viewer");
    }

    static Map<String, Object> vmSample(long vm, Instant ts, double cpu) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("vm_id", vm);
        s.put("ts", ts.toString());
        s.put("cpu_usage", cpu);
        s.put("memory_usage", 50.5);
        s.put("disk_read_bps", 100);
        s.put("disk_write_bps", 200.25);
        s.put("net_rx_bps", 0);
        s.put("net_tx_bps", 1e9);
        return s;
    }

    static Map<String, Object> body(List<Map<String, Object>> samples) {
        return Map.of("samples", samples);
    }

    @Test
    void aBatchIsStoredOnceAndARetryIsAllDuplicates() throws Exception {
        Instant t0 = BASE.plusSeconds(60);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            samples.add(vmSample(vmA, t0.plusSeconds(60L * i), i * 10));
        }
        samples.add(vmSample(vmA, t0, 99)); // repeated inside the batch
        Http.Response r = service.as(tokenA).post("/api/v1/metrics/vms", body(samples));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(10);
        assertThat(r.json().path("duplicates").asLong()).isEqualTo(1);

        Http.Response again = service.as(tokenA).post("/api/v1/metrics/vms", body(samples));
        assertThat(again.json().path("accepted").asLong()).isZero();
        assertThat(again.json().path("duplicates").asLong()).isEqualTo(11);
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE vm_id = ?", vmA)).isEqualTo(10);
        // The in-batch repeat was ignored: the first value (0) is stored.
        assertThat(fx.dbl("SELECT cpu_usage FROM vm_metrics WHERE vm_id = ? AND ts = ?::timestamptz", vmA, t0.toString())).isEqualTo(0);
        // org_usage_1m counted each stored sample once.
        assertThat(fx.one("SELECT sum(samples) FROM org_usage_1m WHERE org_id = ?", orgA)).isEqualTo(10);
        assertThat(fx.dbl("SELECT sum(cpu_sum) FROM org_usage_1m WHERE org_id = ?", orgA)).isEqualTo(450);
    }

    @Test
    void latestValuesNeverMoveBackwards() throws Exception {
        Instant t = BASE.plusSeconds(3600);
        service.as(tokenA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmL, t, 42))));
        Http.Response late = service.as(tokenA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmL, t.minusSeconds(600), 7))));
        assertThat(late.status()).isEqualTo(202);
        assertThat(fx.dbl("SELECT cpu_usage FROM vm_latest WHERE vm_id = ?", vmL)).isEqualTo(42);
        service.as(tokenA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmL, t.plusSeconds(60), 43))));
        assertThat(fx.dbl("SELECT cpu_usage FROM vm_latest WHERE vm_id = ?", vmL)).isEqualTo(43);
    }

    @Test
    void foreignAndUnknownVmsFailTheWholeBatchWith422() throws Exception {
        Instant t = BASE.plusSeconds(7200);
        Http.Response r = service.as(tokenA).post("/api/v1/metrics/vms",
                body(List.of(vmSample(vmA, t, 1), vmSample(vmB, t, 1), vmSample(999_999, t, 1))));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.errorCode()).isEqualTo("invalid_samples");
        assertThat(r.json().path("error").path("details").path("indexes").toString()).isEqualTo("[1,2]");
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE ts = ?::timestamptz", t.toString())).isZero();
    }

    @Test
    void theAdminMaySendAnyVmAndNodes() throws Exception {
        Instant t = BASE.plusSeconds(7260);
        assertThat(service.admin().post("/api/v1/metrics/vms", body(List.of(vmSample(vmB, t, 5)))).status()).isEqualTo(202);
        Map<String, Object> n = new LinkedHashMap<>();
        n.put("node_id", node2);
        n.put("ts", t.toEpochMilli());
        n.put("cpu_usage", 10);
        n.put("memory_usage", 20);
        n.put("disk_usage", 30);
        n.put("load_1m", 0.5);
        n.put("net_rx_bps", 1);
        n.put("net_tx_bps", 2);
        Http.Response r = service.admin().post("/api/v1/metrics/nodes", body(List.of(n)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(fx.dbl("SELECT load_1m FROM node_latest WHERE node_id = ?", node2)).isEqualTo(0.5);
        assertThat(service.as(tokenA).post("/api/v1/metrics/nodes", body(List.of(n))).status()).isEqualTo(403);
        assertThat(service.as(viewerA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmA, t, 5)))).status()).isEqualTo(403);
    }

    @Test
    void invalidValuesAndShapesAreNamed() {
        Instant t = BASE.plusSeconds(7320);
        Map<String, Object> missing = vmSample(vmA, t, 1);
        missing.remove("ts"); // a metric may be left out (a partial sample), the time may not
        Http.Response shape = service.as(tokenA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmA, t, 1), missing)));
        assertThat(shape.status()).isEqualTo(400);
        assertThat(shape.errorCode()).isEqualTo("validation_failed");
        assertThat(shape.json().path("error").path("details").path("indexes").toString()).isEqualTo("[1]");

        Http.Response range = service.as(tokenA).post("/api/v1/metrics/vms", body(List.of(vmSample(vmA, t, 101),
                vmSample(vmA, Instant.now().plusSeconds(3600), 1))));
        assertThat(range.status()).isEqualTo(422);
        assertThat(range.json().path("error").path("details").path("indexes").toString()).isEqualTo("[0,1]");

        Http.Response syntax = service.as(tokenA).send("POST", "/api/v1/metrics/vms", "{\"samples\": [", Map.of());
        assertThat(syntax.status()).isEqualTo(400);
        assertThat(syntax.errorCode()).isEqualTo("invalid_json");
    }

    @Test
    void lineProtocolWithPrecision() throws Exception {
        long s = BASE.plusSeconds(9000).getEpochSecond();
        String lines = "# comment\n"
                + "vm,vm_id=" + vmA + ",host=x cpu_usage=12.5,memory_usage=40,disk_read_bps=1i,disk_write_bps=2,net_rx_bps=3,net_tx_bps=4 " + s + "\n"
                + "node,node_id=" + node + " cpu_usage=1,memory_usage=2,disk_usage=3,load_1m=4,net_rx_bps=5,net_tx_bps=6 " + s + "\n";
        Http.Response r = service.admin().send("POST", "/api/v1/metrics/write?precision=s", lines, Map.of("Content-Type", "text/plain"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(2);
        assertThat(fx.dbl("SELECT cpu_usage FROM vm_metrics WHERE vm_id = ? AND ts = to_timestamp(?)", vmA, s)).isEqualTo(12.5);

        Http.Response bad = service.as(tokenA).send("POST", "/api/v1/metrics/write",
                "vm,vm_id=" + vmA + " cpu_usage=1,bogus=2 " + s + "000000000\n", Map.of("Content-Type", "text/plain"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").path("details").path("indexes").toString()).isEqualTo("[0]");
    }

    @Test
    void aStoredBatchNotifiesEachOrganizationOnce() throws Exception {
        try (java.sql.Connection c = service.database().connect()) {
            c.createStatement().execute("LISTEN novacron_changes");
            Instant t = BASE.plusSeconds(9600);
            service.admin().post("/api/v1/metrics/vms", body(List.of(vmSample(vmA, t, 1), vmSample(vmA2, t, 2), vmSample(vmB, t, 3))));
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 10 && got.size() < 2; i++) {
                c.createStatement().execute("SELECT 1");
                org.postgresql.PGNotification[] ns = c.unwrap(org.postgresql.PGConnection.class).getNotifications(500);
                if (ns != null) {
                    for (org.postgresql.PGNotification n : ns) {
                        got.add(n.getParameter());
                    }
                }
            }
            assertThat(got).containsExactlyInAnyOrder(Long.toString(orgA), Long.toString(orgB));
        }
    }

    @Test
    void everyMetricsRouteIsDocumented() {
        var paths = service.anonymous().get("/openapi.json").json().path("paths");
        service.app().routes().stream().filter(r -> r.path().startsWith("/api/v1/metrics"))
                .forEach(r -> assertThat(paths.path(r.path()).has(r.method().toLowerCase())).as(r.toString()).isTrue());
        assertThat(paths.has("/api/v1/metrics/query")).isTrue();
    }

    @Test
    void ingestAndRollupTelemetryIsExposed() {
        assertThat(service.anonymous().get("/metrics").body()).contains("novacron_ingest_samples_total")
                .contains("novacron_ingest_phase_seconds").contains("novacron_rollup_lag_seconds");
    }

    @Test
    void oversizedBatchesGet413() {
        List<Map<String, Object>> samples = new ArrayList<>();
        Map<String, Object> one = vmSample(vmA, BASE, 1);
        for (int i = 0; i < 50_001; i++) {
            samples.add(one);
        }
        Http.Response r = service.as(tokenA).post("/api/v1/metrics/vms", body(samples));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
    }
}
