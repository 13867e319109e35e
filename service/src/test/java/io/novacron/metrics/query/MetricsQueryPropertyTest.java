package io.novacron.metrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.metrics.block.HistoryPacker;
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
 * in raw rows only), then again once the compactor has folded them, then with most of the window
 * packed into blocks (V35), with late and re-sent samples landing in packed hours, before and
 * after the packer folds them. The reference is the test's own record: the raw rows as stored
 * before anything was packed ({@code ref_vm}, {@code ref_node}), plus the late samples it sent.
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
        try (Connection c = service.database().connect(); var st = c.createStatement()) {
            st.execute("CREATE TABLE ref_vm (LIKE vm_metrics INCLUDING ALL)");
            st.execute("INSERT INTO ref_vm SELECT * FROM vm_metrics");
            st.execute("CREATE TABLE ref_node (LIKE node_metrics INCLUDING ALL)");
            st.execute("INSERT INTO ref_node SELECT * FROM node_metrics");
        }
        startMicros = start.toEpochMilli() * 1000;
    }

    static long startMicros;

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

    @Test
    @Order(3)
    void answersStayExactWithPackedHoursAndLateAndRepeatedSamplesInThem() throws Exception {
        HistoryPacker packer = packer();
        assertThat(packer.packAll()).as("samples moved into blocks").isPositive();
        String packedUntil = "(SELECT packed_until FROM metric_pack_watermark WHERE scope = 'vm')";
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE ts < " + packedUntil)).as("no row left below packed_until").isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_metric_block")).isPositive();
        assertThat(fx.one("SELECT count(*) FROM node_metric_block")).isPositive();

        // Late samples in packed hours (new timestamps: seconds no sample of the test uses), and
        // packed samples sent again (duplicates), mixed in the same batches.
        // Packed samples sent again with other values for the metrics they carry (duplicates: the
        // first values stay), and packed partial samples completed (their missing metrics are new).
        List<String> repeated = new ArrayList<>(), completed = new ArrayList<>();
        List<String> metrics = MetricKind.VM.metrics();
        try (Connection c = service.database().connect(); var st = c.createStatement();
             PreparedStatement fill = c.prepareStatement("UPDATE ref_vm SET " + String.join(", ", metrics.stream().map(m -> m + " = coalesce(" + m + ", ?)").toList())
                     + " WHERE org_id = ? AND vm_id = ? AND ts = to_timestamp(?::float8 / 1000)")) {
            try (ResultSet rs = st.executeQuery("SELECT vm_id, (extract(epoch FROM ts) * 1000)::bigint, " + String.join(", ", metrics)
                    + " FROM ref_vm WHERE ts < " + packedUntil + " AND org_id = " + org + " ORDER BY random() LIMIT 400")) {
                for (int k = 0; rs.next(); k++) {
                    List<String> present = new ArrayList<>(), absent = new ArrayList<>();
                    for (int m = 0; m < metrics.size(); m++) {
                        rs.getDouble(3 + m);
                        (rs.wasNull() ? absent : present).add(metrics.get(m) + "=" + (m + 1));
                    }
                    if (k % 2 == 0 && !absent.isEmpty() && completed.size() < 60) {
                        completed.add("vm,vm_id=" + rs.getLong(1) + " " + String.join(",", absent) + " " + rs.getLong(2));
                        for (int m = 0; m < metrics.size(); m++) {
                            fill.setDouble(1 + m, m + 1);
                        }
                        fill.setLong(7, org);
                        fill.setLong(8, rs.getLong(1));
                        fill.setLong(9, rs.getLong(2));
                        assertThat(fill.executeUpdate()).isEqualTo(1);
                    } else if (repeated.size() < 200) {
                        repeated.add("vm,vm_id=" + rs.getLong(1) + " " + String.join(",", present) + " " + rs.getLong(2));
                    }
                }
            }
        }
        assertThat(completed).as("partial packed samples to complete").isNotEmpty();
        Random rnd = new Random(7);
        List<String> late = new ArrayList<>();
        long packedMicros = fx.one("SELECT (extract(epoch FROM " + packedUntil + ") * 1000000)::bigint");
        try (Connection c = service.database().connect();
             PreparedStatement vmRef = c.prepareStatement("INSERT INTO ref_vm VALUES (?, ?, to_timestamp(?::float8 / 1000), ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
             PreparedStatement nodeRef = c.prepareStatement("INSERT INTO ref_node VALUES (?, to_timestamp(?::float8 / 1000), ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            for (int i = 0; i < 400; i++) {
                // Inside packed hours; milliseconds 1..999 are never used by the data above (whole seconds).
                long ms = startMicros / 1000 + rnd.nextLong((packedMicros - startMicros) / 1000 / 1000) * 1000 + 1 + rnd.nextInt(999);
                double[] v = {Math.round(rnd.nextDouble() * 1000) / 10.0, rnd.nextDouble() * 100, rnd.nextInt(1_000_000), rnd.nextDouble() * 1e7,
                        rnd.nextDouble() * 1e9, rnd.nextInt(3) * 1e4};
                long vm = i % 3 == 0 ? vm2 : vm1;
                late.add("vm,vm_id=" + vm + " cpu_usage=" + v[0] + ",memory_usage=" + v[1] + ",disk_read_bps=" + v[2] + ",disk_write_bps=" + v[3]
                        + ",net_rx_bps=" + v[4] + ",net_tx_bps=" + v[5] + " " + ms);
                vmRef.setLong(1, org);
                vmRef.setLong(2, vm);
                vmRef.setLong(3, ms);
                for (int m = 0; m < 6; m++) {
                    vmRef.setDouble(4 + m, v[m]);
                }
                vmRef.executeUpdate();
                if (i % 4 == 0) {
                    late.add("node,node_id=" + node + " cpu_usage=" + v[0] + ",memory_usage=" + v[1] + ",disk_usage=55.5,load_1m=" + v[1] / 7
                            + ",net_rx_bps=" + v[4] + ",net_tx_bps=" + v[3] + " " + ms);
                    nodeRef.setLong(1, node);
                    nodeRef.setLong(2, ms);
                    double[] n = {v[0], v[1], 55.5, v[1] / 7, v[4], v[3]};
                    for (int m = 0; m < 6; m++) {
                        nodeRef.setDouble(3 + m, n[m]);
                    }
                    nodeRef.executeUpdate();
                }
            }
        }
        repeated.addAll(late.subList(0, 50)); // sent twice in the same batches
        long before = fx.one("SELECT count(*) FROM ref_vm") + fx.one("SELECT count(*) FROM ref_node");
        List<String> all = new ArrayList<>(late);
        all.addAll(repeated);
        all.addAll(completed);
        Collections.shuffle(all, rnd);
        long[] counted = sendCounting(all);
        assertThat(counted[0]).as("accepted: the new late samples and the completed ones").isEqualTo(late.size() + completed.size());
        assertThat(counted[1]).as("duplicates: the packed samples sent again").isEqualTo(repeated.size());
        assertThat(before).isEqualTo(fx.one("SELECT count(*) FROM ref_vm") + fx.one("SELECT count(*) FROM ref_node"));
        checkAll();

        // Folded into their blocks and the late partials into the tiers: the same answers.
        packer.packAll();
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE ts < " + packedUntil)).isZero();
        assertThat(fx.one("SELECT count(*) FROM metric_pack_dirty WHERE hour < " + packedUntil)).isZero();
        compactor().compactAll();
        checkAll();
        assertThat(sendCounting(repeated)[1]).as("still duplicates once folded").isEqualTo(repeated.size());
        assertThat(sendCounting(completed)[1]).as("completed samples are whole now").isEqualTo(completed.size());
    }

    /** {accepted, duplicates} summed over the batches. */
    private static long[] sendCounting(List<String> lines) {
        long[] n = new long[2];
        for (int i = 0; i < lines.size(); i += 2000) {
            String body = String.join("\n", lines.subList(i, Math.min(lines.size(), i + 2000)));
            Http.Response r = service.admin().send("POST", "/api/v1/metrics/write?precision=ms", body, Map.of("Content-Type", "text/plain"));
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            n[0] += r.json().path("accepted").asLong();
            n[1] += r.json().path("duplicates").asLong();
        }
        return n;
    }

    private static HistoryPacker packer() {
        var db = service.app().database().dataSource();
        return new HistoryPacker(new Tx(db), db, java.time.Duration.ofHours(2), java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /** The reference answers of one checkAll (the same for every agg). */
    private static final Map<List<String>, Map<String, double[]>> reference = new java.util.HashMap<>();

    private static void checkAll() throws Exception {
        reference.clear();
        for (String step : List.of("raw", "1m", "5m", "1h", "1d")) {
            String vmWhere = "org_id = " + org + " AND vm_id = " + vm1;
            check("vm", vm1, step, MetricKind.VM, MetricKind.VM.metrics(), "ref_vm", vmWhere, service.as(token));
            check("node", node, step, MetricKind.NODE, MetricKind.NODE.metrics(), "ref_node", "node_id = " + node, service.admin());
            check("org", org, step, MetricKind.VM, MetricKind.VM.metrics(), "ref_vm", "org_id = " + org, service.as(token));
            // Some metrics only, out of order: the reader decodes only their sketches and skips the others'.
            check("vm", vm1, step, MetricKind.VM, List.of("net_rx_bps", "memory_usage"), "ref_vm", vmWhere, service.as(token));
            check("node", node, step, MetricKind.NODE, List.of("net_tx_bps"), "ref_node", "node_id = " + node, service.admin());
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
            Map<String, double[]> expected = reference.computeIfAbsent(List.of(table, where, metric, step), k -> {
                try {
                    return expected(table, where, metric, step);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
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

    /** bucket → sorted values of the metric (buckets where no sample carried it omitted), by SQL over the reference table. */
    private static Map<String, double[]> expected(String table, String where, String metric, String step) throws Exception {
        String bucket = step.equals("raw") ? "ts" : "date_bin(interval '" + switch (step) {
            case "1m" -> "1 minute";
            case "5m" -> "5 minutes";
            case "1h" -> "1 hour";
            default -> "1 day";
        } + "', ts, timestamptz 'epoch')";
        String sql = "SELECT date_part('epoch', " + bucket + "), array_agg(" + metric + " ORDER BY " + metric + ") FROM " + table
                + " WHERE " + where + " AND ts >= ? AND ts < ? AND " + metric + " IS NOT NULL GROUP BY 1 ORDER BY 1";
        Map<String, double[]> out = new LinkedHashMap<>(); // in time order (ORDER BY 1)
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(sql)) {
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
