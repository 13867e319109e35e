package io.novacron.metrics.agents;

import static io.novacron.metrics.agents.RemoteWriteBodies.HEADERS;
import static io.novacron.metrics.agents.RemoteWriteBodies.body;
import static io.novacron.metrics.agents.RemoteWriteBodies.series;
import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.metrics.MetricsFixture;
import io.novacron.metrics.agents.proto.RemoteWrite;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The remote-write receiver with requests built as Prometheus builds them (the real Prometheus: PrometheusEndToEndTest). */
class PromWriteTest {
    @RegisterExtension
    static final TestApp service = new TestApp(PromWriteTest.class);
    static MetricsFixture fx;
    static long orgA, orgB, node, vmA, vmB;
    static String tokenA, viewerA;
    static final long BASE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.HOURS).toEpochMilli();

    static final String[] NODE_NAMES = {"novacron:node_cpu_usage:percent", "novacron:node_memory_usage:percent",
            "novacron:node_disk_usage:percent", "novacron:node_load1", "novacron:node_net_rx:bytes_per_second",
            "novacron:node_net_tx:bytes_per_second"};
    static final String[] VM_NAMES = {"novacron:vm_cpu_usage:percent", "novacron:vm_memory_usage:percent",
            "novacron:vm_disk_read:bytes_per_second", "novacron:vm_disk_write:bytes_per_second",
            "novacron:vm_net_rx:bytes_per_second", "novacron:vm_net_tx:bytes_per_second"};

    @BeforeAll
    static void inventory() throws Exception {
        fx = new MetricsFixture(service.database());
        orgA = fx.org("a");
        orgB = fx.org("b");
        node = fx.node("n1");
        vmA = fx.vm(orgA, "a1");
        vmB = fx.vm(orgB, "b1");
        tokenA = fx.token(orgA, "operator");
        viewerA = fx.token(orgA, "viewer");
    }

    /** The six series of one node sample, each its own series as Prometheus sends them, plus an instance label. */
    static List<RemoteWrite.TimeSeries> nodeSeries(long id, long ts, double... v) {
        List<RemoteWrite.TimeSeries> out = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            out.add(series(NODE_NAMES[m], Map.of("novacron_node_id", Long.toString(id), "instance", "127.0.0.1:9100"), ts, v[m]));
        }
        return out;
    }

    static Http.Response send(Http as, byte[] body) {
        return as.send("POST", "/api/v1/prom/write", body, HEADERS);
    }

    static Http.Response send(Http as, List<RemoteWrite.TimeSeries> series) {
        return send(as, body(series.toArray(new RemoteWrite.TimeSeries[0])));
    }

    @Test
    void mappedSeriesAreStoredOnceAndEverythingElseIsCountedAndSkipped() throws Exception {
        long t0 = BASE + 60_000;
        List<RemoteWrite.TimeSeries> s = new ArrayList<>(nodeSeries(node, t0, 12.5, 40, 55, 0.75, 1000, 2000));
        s.add(series("node_cpu_seconds_total", Map.of("cpu", "0", "mode", "idle"), t0, 12345)); // not mapped
        s.add(series("novacron:node_cpu_usage:percent", Map.of("instance", "x"), t0, 50)); // no id label
        s.add(series("novacron:node_cpu_usage:percent", Map.of("novacron_node_id", "abc"), t0, 50)); // not an id
        s.add(series("novacron:node_load1", Map.of("novacron_node_id", Long.toString(node)),
                t0 + 60_000, Double.longBitsToDouble(RemoteWriteReader.STALE_NAN_BITS)));
        s.add(series("novacron:node_load1", Map.of("novacron_node_id", Long.toString(node)), t0 + 120_000, Double.NaN));
        Http.Response r = send(service.admin(), s);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(1);
        assertThat(r.json().path("duplicates").asLong()).isZero();
        assertThat(r.json().path("series").asInt()).isEqualTo(11);
        assertThat(r.json().path("unmapped_series").asInt()).isEqualTo(1);
        assertThat(r.json().path("unlabeled_series").asInt()).isEqualTo(2);
        assertThat(r.json().path("stale_markers").asInt()).isEqualTo(1);
        assertThat(r.json().path("nan_values").asInt()).isEqualTo(1);
        String window = " FROM node_metrics WHERE node_id = ? AND ts BETWEEN to_timestamp(?::double precision / 1000)"
                + " AND to_timestamp(?::double precision / 1000 + 300)";
        assertThat(fx.one("SELECT count(*)" + window, node, t0, t0)).isEqualTo(1);
        assertThat(fx.dbl("SELECT load_1m" + window, node, t0, t0)).isEqualTo(0.75);
        assertThat(fx.dbl("SELECT net_tx_bps" + window, node, t0, t0)).isEqualTo(2000);

        // Prometheus re-sends after a 5xx: the same samples are duplicates, nothing is stored twice.
        Http.Response again = send(service.admin(), s);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("accepted").asLong()).isZero();
        assertThat(again.json().path("duplicates").asLong()).isEqualTo(1);
        assertThat(fx.one("SELECT count(*)" + window, node, t0, t0)).isEqualTo(1);

        String unmapped = service.anonymous().get("/metrics").body();
        assertThat(unmapped).contains("novacron_prom_write_series_total{result=\"unmapped\"} 2.0");
    }

    @Test
    void metricsOfOneTimestampSentInSeparateRequestsFillOneSampleOnce() throws Exception {
        long t0 = BASE + 30 * 60_000;
        List<RemoteWrite.TimeSeries> all = nodeSeries(node, t0, 21, 31, 41, 1.5, 500, 600);
        // Prometheus shards and batches series independently: cpu and memory come first ...
        Http.Response first = send(service.admin(), all.subList(0, 2));
        assertThat(first.json().path("accepted").asLong()).as(first.toString()).isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM node_metrics WHERE node_id = ? AND ts = to_timestamp(?::double precision / 1000)"
                + " AND cpu_usage = 21 AND memory_usage = 31 AND disk_usage IS NULL AND load_1m IS NULL", node, t0)).isEqualTo(1);
        // ... the other four later, then a resend of the first request after a timeout.
        Http.Response rest = send(service.admin(), all.subList(2, 6));
        assertThat(rest.json().path("accepted").asLong()).isEqualTo(1);
        Http.Response resend = send(service.admin(), all.subList(0, 2));
        assertThat(resend.json().path("accepted").asLong()).isZero();
        assertThat(resend.json().path("duplicates").asLong()).isEqualTo(1);
        String row = "SELECT %s FROM node_metrics WHERE node_id = ? AND ts = to_timestamp(?::double precision / 1000)";
        assertThat(fx.one(row.formatted("count(*)"), node, t0)).isEqualTo(1);
        assertThat(fx.dbl(row.formatted("cpu_usage"), node, t0)).isEqualTo(21);
        assertThat(fx.dbl(row.formatted("disk_usage"), node, t0)).isEqualTo(41);
        assertThat(fx.dbl(row.formatted("net_tx_bps"), node, t0)).isEqualTo(600);
        // Counted once in the aggregates: the raw average over this minute is the one value.
        String q = "/api/v1/metrics/query?scope=node&id=" + node + "&metric=cpu_usage&metric=disk_usage&agg=avg&agg=count&step=1m&from="
                + Instant.ofEpochMilli(t0) + "&to=" + Instant.ofEpochMilli(t0 + 60_000);
        Http.Response agg = service.admin().get(q);
        assertThat(agg.status()).as(agg.toString()).isEqualTo(200);
        for (var series : agg.json().path("series")) {
            double expected = series.path("agg").asText().equals("count") ? 1
                    : series.path("metric").asText().equals("cpu_usage") ? 21 : 41;
            assertThat(series.path("points").get(0).get(1).asDouble()).as(series.toString()).isEqualTo(expected);
        }
    }

    @Test
    void vmSeriesNeedTheirOwnOrganizationsToken() throws Exception {
        long t0 = BASE + 10 * 60_000;
        List<RemoteWrite.TimeSeries> s = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            s.add(series(VM_NAMES[m], Map.of("novacron_vm_id", Long.toString(vmA)), t0, 10 + m));
        }
        Http.Response r = send(service.as(tokenA), s);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("accepted").asLong()).isEqualTo(1);
        assertThat(fx.dbl("SELECT memory_usage FROM vm_metrics WHERE vm_id = ? AND ts = to_timestamp(?::double precision / 1000)", vmA, t0))
                .isEqualTo(11);

        List<RemoteWrite.TimeSeries> foreign = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            foreign.add(series(VM_NAMES[m], Map.of("novacron_vm_id", Long.toString(vmB)), t0, 10 + m));
        }
        Http.Response refused = send(service.as(tokenA), foreign);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.errorCode()).isEqualTo("invalid_samples");
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE vm_id = ?", vmB)).isZero();

        Http.Response nodes = send(service.as(tokenA), nodeSeries(node, t0, 1, 1, 1, 1, 1, 1));
        assertThat(nodes.status()).isEqualTo(403);
        assertThat(send(service.as(viewerA), s).status()).isEqualTo(403);
        assertThat(send(service.anonymous(), s).status()).isEqualTo(401);
    }

    @Test
    void aValueTheIngestPathRefusesDropsTheRequestWith4xx() throws Exception {
        long t0 = BASE + 20 * 60_000;
        Http.Response r = send(service.admin(), nodeSeries(node, t0, 140, 40, 55, 0.75, 1000, 2000));
        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("error").path("details").path("errors").get(0).path("field").asText()).isEqualTo("cpu_usage");
        Http.Response unknown = send(service.admin(), nodeSeries(987654, t0, 1, 1, 1, 1, 1, 1));
        assertThat(unknown.status()).isEqualTo(422);
    }

    @Test
    void metadataOnlyRequestsAndEmptyOnesAreAccepted() {
        RemoteWrite.WriteRequest meta = RemoteWrite.WriteRequest.newBuilder()
                .addMetadata(RemoteWrite.MetricMetadata.newBuilder().setType(RemoteWrite.MetricMetadata.MetricType.COUNTER)
                        .setMetricFamilyName("node_cpu_seconds_total").setHelp("Seconds the CPUs spent in each mode."))
                .build();
        Http.Response r = send(service.admin(), RemoteWriteBodies.snappy(meta.toByteArray()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("accepted").asLong()).isZero();
        assertThat(send(service.admin(), RemoteWriteBodies.snappy(new byte[0])).status()).isEqualTo(200);
    }

    @Test
    void malformedBodiesAreClientErrorsInTheErrorShape() {
        Http admin = service.admin();
        Http.Response notSnappy = send(admin, "definitely not snappy".getBytes());
        assertThat(notSnappy.status()).isEqualTo(400);
        assertThat(notSnappy.errorCode()).isEqualTo("validation_failed");
        Http.Response notProto = send(admin, RemoteWriteBodies.snappy(new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
        assertThat(notProto.status()).isEqualTo(400);
        Map<String, String> plain = new HashMap<>(HEADERS);
        plain.remove("Content-Encoding");
        Http.Response noEncoding = admin.send("POST", "/api/v1/prom/write", body(nodeSeries(node, BASE, 1, 1, 1, 1, 1, 1)
                .toArray(new RemoteWrite.TimeSeries[0])), plain);
        assertThat(noEncoding.status()).isEqualTo(415);
        assertThat(noEncoding.errorCode()).isEqualTo("unsupported_media_type");
        Map<String, String> v2 = new HashMap<>(HEADERS);
        v2.put("Content-Type", "application/x-protobuf;proto=io.prometheus.write.v2.Request");
        assertThat(admin.send("POST", "/api/v1/prom/write", RemoteWriteBodies.snappy(new byte[0]), v2).status()).isEqualTo(415);
        // A snappy header declaring far more than the body limit is refused before allocating it.
        Http.Response huge = send(admin, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20, 0x00}); // 64 MiB
        assertThat(huge.status()).isEqualTo(413);
        assertThat(admin.send("POST", "/api/v1/prom/write?x=1", RemoteWriteBodies.snappy(new byte[0]), HEADERS).status())
                .isEqualTo(400);
    }
}
