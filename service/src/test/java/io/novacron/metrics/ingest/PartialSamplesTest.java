package io.novacron.metrics.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.metrics.MetricsFixture;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Partial samples (issue 21): a line or JSON sample carries any non-empty subset of its series'
 * metrics; a metric not sent is absent (NULL), not zero; exactly-once is per (series, ts, metric);
 * the 202 counts a sample as accepted when it stored at least one new metric. Values come back
 * exactly as sent (double precision). Latest values keep each metric's newest value.
 */
class PartialSamplesTest {
    @RegisterExtension
    // The result cache off: these tests read right after each write and are about what is stored;
    // the cache's freshness (a notification per commit) is TwoInstancesTest's and the bench's subject.
    static final TestApp service = new TestApp(PartialSamplesTest.class, cfg -> cfg.withCache(cfg.cache().withEnabled(false)));
    static MetricsFixture fx;
    static long org, vm, vm2, vm3, node;
    static String token;
    static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.HOURS);

    @BeforeAll
    static void inventory() throws Exception {
        fx = new MetricsFixture(service.database());
        org = fx.org("partial");
        vm = fx.vm(org, "p1");
        vm2 = fx.vm(org, "p2");
        vm3 = fx.vm(org, "p3");
        node = fx.node("pn1");
        token = fx.token(org, "operator");
    }

    static Http.Response write(Http http, String lines) {
        return http.send("POST", "/api/v1/metrics/write?precision=s", lines, Map.of("Content-Type", "text/plain"));
    }

    /** The raw row's six values (null: absent). */
    static List<Double> row(String table, String key, long id, long epochSeconds) throws Exception {
        String cols = table.equals("vm_metrics") ? "cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps"
                : "cpu_usage, memory_usage, disk_usage, load_1m, net_rx_bps, net_tx_bps";
        try (Connection c = service.database().connect();
             PreparedStatement ps = c.prepareStatement("SELECT " + cols + " FROM " + table + " WHERE " + key + " = ? AND ts = to_timestamp(?)")) {
            ps.setLong(1, id);
            ps.setLong(2, epochSeconds);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row exists").isTrue();
                List<Double> out = new ArrayList<>();
                for (int i = 1; i <= 6; i++) {
                    double d = rs.getDouble(i);
                    out.add(rs.wasNull() ? null : d);
                }
                return out;
            }
        }
    }

    @Test
    void theExampleOfApiMdIsAcceptedAndLaterPartsFillTheSample() throws Exception {
        long s = BASE.plusSeconds(60).getEpochSecond();
        Http http = service.as(token);
        Http.Response r = write(http, "vm,vm_id=" + vm + " cpu_usage=12.5,memory_usage=40 " + s);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(1);
        assertThat(row("vm_metrics", "vm_id", vm, s)).containsExactly(12.5, 40.0, null, null, null, null);

        // The same metrics again (other values): a duplicate, the first values stay.
        r = write(http, "vm,vm_id=" + vm + " cpu_usage=99,memory_usage=1 " + s);
        assertThat(r.json().path("accepted").asLong()).isZero();
        assertThat(r.json().path("duplicates").asLong()).isEqualTo(1);
        // One new metric (integer with the i suffix) and one already stored: accepted, only the new one is added.
        r = write(http, "vm,vm_id=" + vm + " cpu_usage=77,disk_read_bps=1024i " + s);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(1);
        assertThat(r.json().path("duplicates").asLong()).isZero();
        assertThat(row("vm_metrics", "vm_id", vm, s)).containsExactly(12.5, 40.0, 1024.0, null, null, null);
        // Prometheus-style: one line per metric for the same time, in one batch, with a repeat.
        r = write(http, "vm,vm_id=" + vm + " net_rx_bps=5 " + s + "\nvm,vm_id=" + vm + " net_tx_bps=6 " + s
                + "\nvm,vm_id=" + vm + " net_rx_bps=8 " + s + "\nvm,vm_id=" + vm + " memory_usage=3 " + s);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(2);
        assertThat(r.json().path("duplicates").asLong()).isEqualTo(2);
        assertThat(row("vm_metrics", "vm_id", vm, s)).containsExactly(12.5, 40.0, 1024.0, null, 5.0, 6.0);

        // Every value counted once: the organization's minute partials and usage hold each metric once.
        assertThat(fx.one("SELECT sum(cpu_samples) FROM org_usage_1m WHERE org_id = ? AND bucket = date_trunc('minute', to_timestamp(?))", org, s)).isEqualTo(1);
        assertThat(fx.one("SELECT sum(memory_samples) FROM org_usage_1m WHERE org_id = ? AND bucket = date_trunc('minute', to_timestamp(?))", org, s)).isEqualTo(1);
        assertThat(fx.one("SELECT sum(samples) FROM org_usage_1m WHERE org_id = ? AND bucket = date_trunc('minute', to_timestamp(?))", org, s)).isEqualTo(1);
        assertThat(fx.dbl("SELECT sum(memory_sum) FROM org_usage_1m WHERE org_id = ? AND bucket = date_trunc('minute', to_timestamp(?))", org, s))
                .isEqualTo(40.0);

        // The query: per-metric counts, and a metric never sent has no points.
        String q = "/api/v1/metrics/query?scope=vm&id=" + vm + "&from=" + BASE + "&to=" + BASE.plusSeconds(3600) + "&step=5m"
                + "&metric=net_rx_bps&metric=disk_write_bps&agg=count&agg=sum";
        JsonNode series = http.get(q).json().path("series");
        for (JsonNode one : series) {
            if (one.path("metric").asText().equals("disk_write_bps")) {
                assertThat(one.path("points")).isEmpty();
            } else {
                assertThat(one.path("points")).hasSize(1);
                assertThat(one.path("points").get(0).get(1).asDouble()).isEqualTo(one.path("agg").asText().equals("count") ? 1 : 5);
            }
        }
        q = "/api/v1/metrics/query?scope=org&id=" + org + "&from=" + BASE + "&to=" + BASE.plusSeconds(3600) + "&step=1m"
                + "&metric=net_tx_bps&agg=count&agg=avg";
        for (JsonNode one : http.get(q).json().path("series")) {
            assertThat(one.path("points").get(0).get(1).asDouble()).isEqualTo(one.path("agg").asText().equals("count") ? 1 : 6);
        }
    }

    @Test
    void jsonSamplesMayBePartialButNeedAMetric() throws Exception {
        Instant t = BASE.plusSeconds(600);
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("vm_id", vm2);
        one.put("ts", t.toString());
        one.put("memory_usage", 33.3);
        Http.Response r = service.as(token).post("/api/v1/metrics/vms", Map.of("samples", List.of(one)));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(row("vm_metrics", "vm_id", vm2, t.getEpochSecond())).containsExactly(null, 33.3, null, null, null, null);

        Map<String, Object> none = new LinkedHashMap<>();
        none.put("vm_id", vm2);
        none.put("ts", t.plusSeconds(60).toString());
        Http.Response bad = service.as(token).post("/api/v1/metrics/vms", Map.of("samples", List.of(one, none)));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("error").path("details").path("indexes").toString()).isEqualTo("[1]");
        // A line without any known field is refused too.
        assertThat(write(service.as(token), "vm,vm_id=" + vm2 + " bogus=1 " + t.getEpochSecond()).status()).isEqualTo(400);
    }

    @Test
    void valuesComeBackExactlyAsSent() throws Exception {
        long s = BASE.plusSeconds(900).getEpochSecond();
        Http.Response r = write(service.admin(), "node,node_id=" + node + " cpu_usage=88.41,memory_usage=0.1,disk_usage=33.33,load_1m=1.7 " + s);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        assertThat(row("node_metrics", "node_id", node, s)).containsExactly(88.41, 0.1, 33.33, 1.7, null, null);
        String q = "/api/v1/metrics/query?scope=node&id=" + node + "&from=" + BASE + "&to=" + BASE.plusSeconds(3600)
                + "&step=raw&metric=cpu_usage&metric=disk_usage&agg=avg";
        JsonNode series = service.admin().get(q).json().path("series");
        assertThat(series.get(0).path("points").get(0).get(1).toString()).isEqualTo("88.41");
        assertThat(series.get(1).path("points").get(0).get(1).toString()).isEqualTo("33.33");
        JsonNode item = service.admin().get("/api/v1/monitoring/nodes?node_id=" + node).json().path("items").get(0);
        assertThat(item.path("cpu_usage").toString()).isEqualTo("88.41");
        assertThat(item.path("net_rx_bps").isNull()).isTrue();
        assertThat(service.admin().get("/api/v1/monitoring/nodes?min_cpu=88.41").json().path("items")).hasSize(1);
    }

    @Test
    void latestValuesKeepEachMetricsNewestValue() throws Exception {
        long t1 = BASE.plusSeconds(1200).getEpochSecond(), t2 = t1 + 60, t3 = t2 + 60;
        Http http = service.as(token);
        write(http, "vm,vm_id=" + vm3 + " cpu_usage=10,memory_usage=20 " + t2);
        write(http, "vm,vm_id=" + vm3 + " cpu_usage=30 " + t3);
        // Late: memory at t1 is older than the stored memory (t2); net_rx_bps was never known.
        write(http, "vm,vm_id=" + vm3 + " memory_usage=99,net_rx_bps=7 " + t1);
        JsonNode item = latest(http);
        assertThat(item.path("ts").asText()).isEqualTo(Instant.ofEpochSecond(t3).toString());
        assertThat(item.path("cpu_usage").asDouble()).isEqualTo(30);
        assertThat(item.path("memory_usage").asDouble()).isEqualTo(20);
        assertThat(item.path("net_rx_bps").asDouble()).isEqualTo(7);
        assertThat(item.path("disk_read_bps").isNull()).isTrue();
        // A later part of the t3 sample carries memory: it is now the newest memory value.
        write(http, "vm,vm_id=" + vm3 + " memory_usage=55 " + t3);
        assertThat(latest(http).path("memory_usage").asDouble()).isEqualTo(55);

        // Monitoring by usage lists the VMs that never sent the sorted metric last, and pages through them.
        write(http, "vm,vm_id=" + vm + " cpu_usage=12.5 " + t1 + "\nvm,vm_id=" + vm2 + " memory_usage=1 " + t1);
        List<Long> ids = new ArrayList<>();
        String cursor = null;
        do {
            Http.Response r = http.get("/api/v1/monitoring/vms?sort=-cpu_usage&limit=1" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            r.json().path("items").forEach(i -> ids.add(i.path("vm_id").asLong()));
            cursor = r.json().path("next_cursor").isNull() || r.json().path("next_cursor").isMissingNode() ? null : r.json().path("next_cursor").asText();
        } while (cursor != null);
        assertThat(ids).containsExactly(vm3, vm, vm2);
    }

    private static JsonNode latest(Http http) {
        for (JsonNode i : http.get("/api/v1/monitoring/vms?limit=100").json().path("items")) {
            if (i.path("vm_id").asLong() == vm3) {
                return i;
            }
        }
        throw new AssertionError("vm3 not in monitoring");
    }
}
