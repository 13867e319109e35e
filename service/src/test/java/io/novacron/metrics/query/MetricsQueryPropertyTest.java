package io.novacron.metrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.metrics.series.MetricKind;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Array;
import org.assertj.core.data.Offset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Property-style check of API.md's promise: every step × agg × scope answer equals the same
 * aggregation computed by SQL over the raw table, on random data sent out of order, late (after
 * a compaction already folded their buckets) and partly twice; p95 within the sketch's bound.
 * Samples are partial too: some metrics only, one line per metric, or in two parts of which the
 * second arrives late (filling in metrics of a stored row, sometimes repeating one of its
 * metrics with another value); every metric's aggregates are over the samples that carried it.
 * Checked with the late samples still in the delta (and the newest ones past the watermarks,
 * in raw rows only), then again once the compactor has folded them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsQueryPropertyTest {
    @RegisterExtension
    static final TestApp service = new TestApp(MetricsQueryPropertyTest.class);
    static MetricsFixture fx;
    static long org, vm1, vm2, otherVm, node;
    static String token;
    static Instant from, to;

    @BeforeAll
    static void data() throws Exception {
        fx = new MetricsFixture(service.database());
        org = fx.org("p");
        long other = fx.org("q");
        vm1 = fx.vm(org, "v1");
        vm2 = fx.vm(org, "v2");
        otherVm = fx.vm(other, "o1");
        node = fx.node("pn");
        token = fx.token(org, "operator");
        Random rnd = new Random(42);
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(30, ChronoUnit.HOURS);
        List<String> lines = new ArrayList<>();
        List<String> fills = new ArrayList<>();
        for (int i = 0; i < 29 * 60; i++) {
            for (long vm : new long[] {vm1, vm2, otherVm}) {
                long ts = start.plusSeconds(60L * i + rnd.nextInt(60)).toEpochMilli();
                double cpu = Math.round(rnd.nextDouble() * 1000) / 10.0;
                String[] f = {"cpu_usage=" + cpu, "memory_usage=" + (rnd.nextDouble() * 100), "disk_read_bps=" + rnd.nextInt(1_000_000) + "i",
                        "disk_write_bps=" + (rnd.nextDouble() * 1e7), "net_rx_bps=" + (rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble() * 1e9),
                        "net_tx_bps=" + rnd.nextInt(3) * 1e4};
                sample(rnd, "vm,vm_id=" + vm, f, ts, lines, fills);
            }
            long ts = start.plusSeconds(60L * i + rnd.nextInt(60)).toEpochMilli();
            String[] f = {"cpu_usage=" + rnd.nextInt(101), "memory_usage=" + rnd.nextDouble() * 100, "disk_usage=55.5",
                    "load_1m=" + rnd.nextDouble() * 16, "net_rx_bps=" + rnd.nextDouble() * 1e8, "net_tx_bps=" + rnd.nextDouble() * 1e8};
            sample(rnd, "node,node_id=" + node, f, ts, lines, fills);
        }
        Collections.shuffle(lines, rnd);
        Collections.shuffle(fills, rnd);
        int late = lines.size() / 20;
        List<String> first = lines.subList(0, lines.size() - late);
        List<String> lateOnes = lines.subList(lines.size() - late, lines.size());
        List<String> firstFills = fills.subList(0, fills.size() / 2);
        List<String> lateFills = fills.subList(fills.size() / 2, fills.size());
        send(first);
        send(firstFills);
        compactor().compactAll();
        // Late samples land in buckets already compacted; so do the late parts of partial samples
        // (filling in metrics of stored rows); a tenth of everything is sent again.
        send(lateOnes);
        send(lateFills);
        send(lines.subList(0, lines.size() / 10));
        send(fills.subList(0, fills.size() / 10));
        from = start.plusSeconds(3 * 3600 + 17);
        to = start.plusSeconds(28 * 3600 + 13 * 60 + 5);
    }

    /**
     * One sample as line protocol: whole (half of them), some metrics only, one line per metric
     * (like Prometheus: the same key in one or several batches), or in two parts of which the
     * second (in {@code fills}) arrives later, sometimes repeating a metric of the first with
     * another value (a duplicate metric: the first stored value stays).
     */
    private static void sample(Random rnd, String series, String[] fields, long ts, List<String> lines, List<String> fills) {
        List<String> f = new ArrayList<>(List.of(fields));
        Collections.shuffle(f, rnd);
        int r = rnd.nextInt(20);
        if (r < 10) {
            lines.add(series + " " + String.join(",", f) + " " + ts);
        } else if (r < 13) {
            lines.add(series + " " + String.join(",", f.subList(0, 1 + rnd.nextInt(5))) + " " + ts);
        } else if (r < 16) {
            f.subList(0, 1 + rnd.nextInt(6)).forEach(x -> lines.add(series + " " + x + " " + ts));
        } else {
            int cut = 1 + rnd.nextInt(5);
            lines.add(series + " " + String.join(",", f.subList(0, cut)) + " " + ts);
            List<String> rest = new ArrayList<>(f.subList(cut, f.size()));
            if (rnd.nextBoolean()) {
                String again = f.get(0);
                rest.add(again.substring(0, again.indexOf('=') + 1) + (again.contains("disk_usage") ? "44" : "7"));
            }
            fills.add(series + " " + String.join(",", rest) + " " + ts);
        }
    }

    static void send(List<String> lines) {
        for (int i = 0; i < lines.size(); i += 2000) {
            String body = String.join("\n", lines.subList(i, Math.min(lines.size(), i + 2000)));
            Http.Response r = service.admin().send("POST", "/api/v1/metrics/write?precision=ms", body, Map.of("Content-Type", "text/plain"));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
        }
    }

    @Test
    @Order(1)
    void everyStepAggAndScopeEqualsSqlOverRawSamples() throws Exception {
        checkAll();
    }

    @Test
    @Order(2)
    void answersStayExactOnceTheLateSamplesAreFolded() throws Exception {
        // The service's own compactor runs too; whichever holds a scope's lock does its round.
        // Folded: no partial left below the 5-minute tier's watermark (past it, partials repeat raw
        // rows and are dropped when their hour is built).
        String pending = "SELECT count(*) FROM vm_rollup_delta WHERE bucket < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm')";
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            compactor().compactAll();
        } while (fx.one(pending) > 0 && System.nanoTime() < deadline);
        assertThat(fx.one(pending)).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 86400")).as("a whole day is behind the watermarks").isPositive();
        checkAll();
    }

    /** One connection for all the expected answers (a connection per check met a full server: too many clients). */
    private static Connection sql;

    private static void checkAll() throws Exception {
        try (Connection c = service.database().connect()) {
            sql = c;
            checkSteps();
        } finally {
            sql = null;
        }
    }

    private static void checkSteps() throws Exception {
        for (String step : List.of("raw", "1m", "5m", "1h", "1d")) {
            String vmWhere = "org_id = " + org + " AND vm_id = " + vm1;
            check("vm", vm1, step, MetricKind.VM, MetricKind.VM.metrics(), "vm_metrics", vmWhere, service.as(token));
            check("node", node, step, MetricKind.NODE, MetricKind.NODE.metrics(), "node_metrics", "node_id = " + node, service.admin());
            check("org", org, step, MetricKind.VM, MetricKind.VM.metrics(), "vm_metrics", "org_id = " + org, service.as(token));
            // Some metrics only, out of order: the reader decodes only their sketches and skips the others'.
            check("vm", vm1, step, MetricKind.VM, List.of("net_rx_bps", "memory_usage"), "vm_metrics", vmWhere, service.as(token));
            check("node", node, step, MetricKind.NODE, List.of("net_tx_bps"), "node_metrics", "node_id = " + node, service.admin());
        }
    }

    private static RollupCompactor compactor() {
        return new RollupCompactor(new Tx(service.app().database().dataSource()), java.time.Duration.ofDays(7), java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    @Test
    void autoPicksTheCoarsestStepWithTwoHundredPoints() {
        Http.Response r = service.as(token).get(query("vm", vm1, "auto") + "&metric=cpu_usage");
        assertThat(r.json().path("step").asText()).isEqualTo("5m");
    }

    @Test
    void tenancyIsEnforced() {
        assertThat(service.as(token).get(query("vm", otherVm, "5m") + "&metric=cpu_usage").status()).isEqualTo(404);
        assertThat(service.as(token).get(query("node", node, "5m") + "&metric=cpu_usage").status()).isEqualTo(403);
        assertThat(service.as(token).get(query("org", org + 1, "5m") + "&metric=cpu_usage").status()).isEqualTo(404);
        assertThat(service.as(token).get(query("vm", vm1, "5m") + "&metric=bogus").status()).isEqualTo(400);
    }

    static String query(String scope, long id, String step) {
        return "/api/v1/metrics/query?scope=" + scope + "&id=" + id + "&from=" + from + "&to=" + to.toEpochMilli() + "&step=" + step;
    }

    private static void check(String scope, long id, String step, MetricKind kind, List<String> metrics, String table, String where,
                              Http http) throws Exception {
        StringBuilder q = new StringBuilder(query(scope, id, step));
        metrics.forEach(m -> q.append("&metric=").append(m));
        List.of("avg", "min", "max", "sum", "count", "p95").forEach(a -> q.append("&agg=").append(a));
        Http.Response r = http.get(q.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("series")).hasSize(metrics.size() * 6);
        for (JsonNode s : r.json().path("series")) {
            String metric = s.path("metric").asText();
            String agg = s.path("agg").asText();
            TreeMap<String, double[]> expected = expected(table, where, metric, step);
            Map<String, Double> actual = new LinkedHashMap<>();
            s.path("points").forEach(p -> actual.put(Instant.parse(p.get(0).asText()).toString(), p.get(1).asDouble()));
            assertThat(actual.keySet()).as("%s %s %s buckets", scope, step, metric).containsExactlyElementsOf(expected.keySet());
            expected.forEach((bucket, sorted) -> {
                double got = actual.get(bucket);
                String what = scope + " " + step + " " + metric + " " + agg + " " + bucket;
                switch (agg) {
                    case "count" -> assertThat(got).as(what).isEqualTo(sorted.length);
                    case "min" -> assertThat(got).as(what).isEqualTo(sorted[0]);
                    case "max" -> assertThat(got).as(what).isEqualTo(sorted[sorted.length - 1]);
                    case "sum" -> assertThat(got).as(what).isCloseTo(sum(sorted), Offset.offset(1e-9 * Math.max(1, Math.abs(sum(sorted)))));
                    case "avg" -> assertThat(got).as(what).isCloseTo(sum(sorted) / sorted.length,
                            Offset.offset(1e-9 * Math.max(1, Math.abs(sum(sorted) / sorted.length))));
                    default -> {
                        double exact = sorted[(int) Math.floor(0.95 * (sorted.length - 1))];
                        assertThat(got).as(what).isCloseTo(exact, Offset.offset(0.01 * Math.abs(exact) + 1e-12));
                    }
                }
            });
        }
    }

    private static double sum(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s;
    }

    /** bucket → sorted values of the metric (buckets where no sample carried it omitted), by SQL over the raw table. */
    private static TreeMap<String, double[]> expected(String table, String where, String metric, String step) throws Exception {
        String bucket = step.equals("raw") ? "ts" : "date_bin(interval '" + switch (step) {
            case "1m" -> "1 minute";
            case "5m" -> "5 minutes";
            case "1h" -> "1 hour";
            default -> "1 day";
        } + "', ts, timestamptz 'epoch')";
        String sql = "SELECT date_part('epoch', " + bucket + "), array_agg(" + metric + " ORDER BY " + metric + ") FROM " + table
                + " WHERE " + where + " AND ts >= ? AND ts < ? AND " + metric + " IS NOT NULL GROUP BY 1 ORDER BY 1";
        TreeMap<String, double[]> out = new TreeMap<>();
        try (PreparedStatement ps = MetricsQueryPropertyTest.sql.prepareStatement(sql)) {
            ps.setObject(1, from.atOffset(java.time.ZoneOffset.UTC));
            ps.setObject(2, to.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long micros = Math.round(rs.getDouble(1) * 1e6);
                    Array a = rs.getArray(2);
                    Object[] vals = (Object[]) a.getArray();
                    double[] d = new double[vals.length];
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (Double) vals[i];
                    }
                    out.put(Instant.EPOCH.plusNanos(micros * 1000).toString(), d);
                }
            }
        }
        return out;
    }
}
