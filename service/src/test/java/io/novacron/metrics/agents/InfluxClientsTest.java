package io.novacron.metrics.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.UnauthorizedException;
import io.novacron.metrics.MetricsFixture;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The InfluxDB-compatible endpoints, driven by the official v1 (influxdb-java) and v2 (influxdb-client-java) clients. */
class InfluxClientsTest {
    @RegisterExtension
    static final TestApp service = new TestApp(InfluxClientsTest.class);
    static MetricsFixture fx;
    static long org, otherOrg, vm, foreignVm, node;
    static String token, viewer;
    static final long BASE = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(2, ChronoUnit.HOURS).toEpochMilli();

    @BeforeAll
    static void inventory() throws Exception {
        fx = new MetricsFixture(service.database());
        org = fx.org("influx");
        otherOrg = fx.org("other");
        vm = fx.vm(org, "v1");
        foreignVm = fx.vm(otherOrg, "v2");
        node = fx.node("n1");
        token = fx.token(org, "operator");
        viewer = fx.token(org, "viewer");
    }

    private static long rows(String where, Object... args) throws Exception {
        return fx.one("SELECT count(*) FROM vm_metrics WHERE vm_id = ? AND " + where, args);
    }

    @Test
    void theV1ClientCreatesItsDatabaseAndWritesPointsBatchesAndGzip() throws Exception {
        try (InfluxDB influx = InfluxDBFactory.connect(service.baseUrl(), "telegraf", token)) {
            QueryResult created = influx.query(new Query("CREATE DATABASE \"novacron\"", null, true)); // POST, as InfluxDB requires
            assertThat(created.hasError()).isFalse();
            influx.setDatabase("novacron");
            // One point with every field, one with a subset: a field not sent is absent, not zero.
            influx.write(Point.measurement("vm").tag("vm_id", Long.toString(vm)).tag("host", "hv1")
                    .time(BASE, TimeUnit.MILLISECONDS).addField("cpu_usage", 12.5).addField("memory_usage", 40L)
                    .addField("disk_read_bps", 1).addField("disk_write_bps", 2).addField("net_rx_bps", 3).addField("net_tx_bps", 4).build());
            influx.write(Point.measurement("vm").tag("vm_id", Long.toString(vm))
                    .time(BASE + 60_000, TimeUnit.MILLISECONDS).addField("cpu_usage", 33.25).build());
            influx.enableGzip();
            BatchPoints batch = BatchPoints.database("novacron").precision(TimeUnit.SECONDS).build();
            for (int i = 2; i < 12; i++) {
                batch.point(Point.measurement("vm").tag("vm_id", Long.toString(vm)).time(BASE / 1000 + 60L * i, TimeUnit.SECONDS)
                        .addField("memory_usage", 10.0 + i).build());
            }
            influx.write(batch);
            influx.write("novacron", "autogen", InfluxDB.ConsistencyLevel.ONE, TimeUnit.MINUTES,
                    "vm,vm_id=" + vm + " net_rx_bps=7i " + (BASE / 60_000 + 20));
        }
        String at = "ts = to_timestamp(?::double precision / 1000)";
        assertThat(fx.dbl("SELECT cpu_usage FROM vm_metrics WHERE vm_id = ? AND " + at, vm, BASE)).isEqualTo(12.5);
        assertThat(rows(at + " AND cpu_usage = 33.25 AND memory_usage IS NULL", vm, BASE + 60_000)).isEqualTo(1);
        assertThat(rows("ts >= to_timestamp(?::double precision / 1000) AND memory_usage >= 12 AND cpu_usage IS NULL", vm, BASE)).isEqualTo(10);
        assertThat(fx.dbl("SELECT net_rx_bps FROM vm_metrics WHERE vm_id = ? AND " + at, vm, BASE + 20 * 60_000)).isEqualTo(7);
    }

    @Test
    void theV1ClientIsRefusedWithAWrongPasswordAndForAnotherOrganizationsVm() throws Exception {
        try (InfluxDB wrong = InfluxDBFactory.connect(service.baseUrl(), "telegraf", "not-a-token")) {
            wrong.setDatabase("novacron");
            assertThatThrownBy(() -> wrong.write("vm,vm_id=" + vm + " cpu_usage=1 " + BASE * 1_000_000))
                    .isInstanceOf(InfluxDBException.class).hasMessageContaining("invalid or revoked token");
        }
        try (InfluxDB influx = InfluxDBFactory.connect(service.baseUrl(), "telegraf", token)) {
            influx.setDatabase("novacron");
            assertThatThrownBy(() -> influx.write("vm,vm_id=" + foreignVm + " cpu_usage=1 " + BASE * 1_000_000))
                    .isInstanceOf(InfluxDBException.class).hasMessageContaining("unknown vm");
            assertThatThrownBy(() -> influx.query(new Query("DROP DATABASE novacron", null, true)))
                    .isInstanceOf(InfluxDBException.class).hasMessageContaining("only CREATE DATABASE");
        }
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE vm_id = ?", foreignVm)).isZero();
    }

    @Test
    void theV2ClientWritesRecordsAndPointsWithItsToken() throws Exception {
        long t0 = BASE + 30 * 60_000;
        try (InfluxDBClient client = InfluxDBClientFactory.create(service.baseUrl(), token.toCharArray(), "my-org", "fleet")) {
            client.enableGzip();
            WriteApiBlocking write = client.getWriteApiBlocking();
            write.writeRecord(WritePrecision.MS, "vm,vm_id=" + vm + " cpu_usage=5,memory_usage=6 " + t0);
            write.writePoint(com.influxdb.client.write.Point.measurement("vm").addTag("vm_id", Long.toString(vm))
                    .addField("disk_write_bps", 1234.5).time(Instant.ofEpochMilli(t0 + 60_000), WritePrecision.NS));
        }
        String at = "ts = to_timestamp(?::double precision / 1000)";
        assertThat(rows(at + " AND cpu_usage = 5 AND memory_usage = 6 AND disk_read_bps IS NULL", vm, t0)).isEqualTo(1);
        assertThat(fx.dbl("SELECT disk_write_bps FROM vm_metrics WHERE vm_id = ? AND " + at, vm, t0 + 60_000)).isEqualTo(1234.5);

        try (InfluxDBClient wrong = InfluxDBClientFactory.create(service.baseUrl(), "nope".toCharArray(), "my-org", "fleet")) {
            assertThatThrownBy(() -> wrong.getWriteApiBlocking().writeRecord(WritePrecision.MS, "vm,vm_id=" + vm + " cpu_usage=1 " + t0))
                    .isInstanceOf(UnauthorizedException.class);
        }
    }

    @Test
    void badRequestsGetTheErrorShape() throws Exception {
        Http anon = service.anonymous();
        String line = "vm,vm_id=" + vm + " cpu_usage=1 " + (BASE + 50 * 60_000);
        Map<String, String> text = Map.of("Content-Type", "text/plain");
        assertThat(anon.send("POST", "/write?db=x&precision=ms", line, text).status()).isEqualTo(401);
        Http.Response noDb = anon.send("POST", "/write?p=" + token, line, text);
        assertThat(noDb.status()).isEqualTo(400);
        assertThat(noDb.json().path("error").path("details").path("field").asText()).isEqualTo("db");
        assertThat(anon.send("POST", "/write?db=x&precision=fortnight&p=" + token, line, text).status()).isEqualTo(400);
        assertThat(anon.send("POST", "/write?db=x&p=" + viewer, line, text).status()).isEqualTo(403);
        Map<String, String> basic = Map.of("Content-Type", "text/plain", "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("u:" + token).getBytes()));
        assertThat(anon.send("POST", "/write?db=x&precision=ms", line, basic).status()).isEqualTo(204);
        Map<String, String> v2 = Map.of("Content-Type", "text/plain", "Authorization", "Token " + token);
        assertThat(anon.send("POST", "/api/v2/write?org=o&precision=ms", line, v2).json().path("error").path("details").path("field")
                .asText()).isEqualTo("bucket");
        assertThat(anon.send("POST", "/api/v2/write?bucket=b&precision=ms", line, v2).status()).isEqualTo(400);
        assertThat(anon.send("POST", "/api/v2/write?org=o&bucket=b&precision=h", line, v2).status()).isEqualTo(400);
        Map<String, String> gz = Map.of("Content-Type", "text/plain", "Authorization", "Token " + token, "Content-Encoding", "gzip");
        Http.Response notGzip = anon.send("POST", "/api/v2/write?org=o&bucket=b&precision=ms", line, gz);
        assertThat(notGzip.status()).isEqualTo(400);
        assertThat(notGzip.errorCode()).isEqualTo("validation_failed");
        Http.Response gzOk = anon.send("POST", "/api/v2/write?org=o&bucket=b&precision=ms", gzip(line), gz);
        assertThat(gzOk.status()).as(gzOk.toString()).isEqualTo(204);
        Http.Response malformed = anon.send("POST", "/api/v2/write?org=o&bucket=b", "vm,vm_id=" + vm + " cpu_usage=\"x\"", v2);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("error").path("details").path("indexes").get(0).asInt()).isZero();
        // A node line needs the platform admin token; with it, precision m (minutes) as InfluxDB 1.x has it.
        String nodeLine = "node,node_id=" + node + " load_1m=0.5 " + (BASE / 60_000);
        assertThat(anon.send("POST", "/write?db=x&precision=m&p=" + token, nodeLine, text).status()).isEqualTo(403);
        assertThat(anon.send("POST", "/write?db=x&precision=m&p=" + TestApp.ADMIN_TOKEN, nodeLine, text).status()).isEqualTo(204);
        assertThat(fx.dbl("SELECT load_1m FROM node_metrics WHERE node_id = ? AND ts = to_timestamp(?::double precision / 1000)",
                node, BASE)).isEqualTo(0.5);
        assertThat(anon.send("POST", "/query?q=CREATE+DATABASE+x", null, Map.of()).status()).isEqualTo(401);
        Http.Response noQ = anon.send("POST", "/query?p=" + token, null, Map.of());
        assertThat(noQ.status()).isEqualTo(400);
    }

    private static byte[] gzip(String s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(s.getBytes());
        }
        return out.toByteArray();
    }
}
