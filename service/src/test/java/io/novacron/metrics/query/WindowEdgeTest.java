package io.novacron.metrics.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A window whose ends have seconds (a dashboard's "now") cuts a bucket of the finest tier at each
 * end. Where the rollup rows' sample spans show every sample on one side of the cut, the query
 * answers that edge from them; where samples straddle it, from the raw rows. Either way the answer
 * is the aggregation over the raw samples. (Cache off: every request reaches the database.)
 */
class WindowEdgeTest {
    @RegisterExtension
    static final TestApp service = new TestApp(WindowEdgeTest.class, cfg -> cfg.withCache(cfg.cache().withEnabled(false)));
    static MetricsFixture fx;
    static long org;
    static long[] vms;
    static String token;
    static Instant start;

    @BeforeAll
    static void data() throws Exception {
        fx = new MetricsFixture(service.database());
        org = fx.org("edges");
        vms = new long[] {fx.vm(org, "e1"), fx.vm(org, "e2"), fx.vm(org, "e3")};
        token = fx.token(org, "operator");
        start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS);
        Random rnd = new Random(7);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3 * 60; i++) {
            for (long vm : vms) { // on the minute, as collectors that align to their interval report
                lines.add("vm,vm_id=" + vm + " cpu_usage=" + rnd.nextInt(1000) / 10.0 + ",memory_usage=50,disk_read_bps=1,"
                        + "disk_write_bps=1,net_rx_bps=1,net_tx_bps=1 " + start.plusSeconds(60L * i).toEpochMilli());
            }
        }
        // One sample in the middle of a minute, which the second window's start cuts through.
        lines.add("vm,vm_id=" + vms[0] + " cpu_usage=99.5,memory_usage=50,disk_read_bps=1,disk_write_bps=1,net_rx_bps=1,net_tx_bps=1 "
                + start.plusSeconds(90 * 60 + 20).toEpochMilli());
        Http.Response r = service.admin().send("POST", "/api/v1/metrics/write?precision=ms", String.join("\n", lines),
                Map.of("Content-Type", "text/plain"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        // The organization's partials are folded into its tiers once their minute is closed.
        new RollupCompactor(new Tx(service.app().database().dataSource()), Duration.ofDays(7), Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()).compactAll();
        assertThat(fx.one("SELECT count(*) FROM org_rollup_delta")).isZero();
    }

    @Test
    void edgesThatCutNoMinuteAreAnsweredFromTheMinuteRows() throws Exception {
        Instant from = start.plusSeconds(30 * 60 + 17), to = start.plusSeconds(70 * 60 + 30);
        for (String step : List.of("1m", "5m", "1h")) {
            TreeMap<Instant, List<Double>> expected = rawAggregates(from, to, step);
            assertThat(orgQuery(from, to, step)).as(step).isEqualTo(expected);
        }
        // The first window ends inside minute 70: its samples (on the minute) are in, and come from
        // the minute rows. Removing those raw samples behind the service's back changes nothing.
        TreeMap<Instant, List<Double>> before = orgQuery(from, to, "5m");
        assertThat(before.lastEntry().getValue().get(0)).as("the samples of minute 70 are counted").isEqualTo(3.0);
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM vm_metrics WHERE org_id = ? AND (ts >= ? AND ts < ? OR ts >= ? AND ts < ?)")) {
            ps.setLong(1, org);
            ps.setObject(2, start.plusSeconds(30 * 60).atOffset(ZoneOffset.UTC));
            ps.setObject(3, start.plusSeconds(31 * 60).atOffset(ZoneOffset.UTC));
            ps.setObject(4, start.plusSeconds(70 * 60).atOffset(ZoneOffset.UTC));
            ps.setObject(5, start.plusSeconds(71 * 60).atOffset(ZoneOffset.UTC));
            assertThat(ps.executeUpdate()).isEqualTo(6);
        }
        assertThat(orgQuery(from, to, "5m")).isEqualTo(before);
    }

    @Test
    void anEdgeThatCutsSamplesApartIsAnsweredFromRawRows() throws Exception {
        // Minute 90 holds samples at :00 (outside the window) and one at :20 (inside).
        Instant from = start.plusSeconds(90 * 60 + 10), to = start.plusSeconds(150 * 60 + 45);
        for (String step : List.of("1m", "5m", "1h")) {
            TreeMap<Instant, List<Double>> expected = rawAggregates(from, to, step);
            // first bucket: the :20 sample, then minutes 91.. to the bucket's end, three VMs each
            double first = switch (step) {
                case "1m" -> 1;
                case "5m" -> 1 + 4 * 3;
                default -> 1 + 29 * 3;
            };
            assertThat(expected.firstEntry().getValue().get(0)).isEqualTo(first);
            assertThat(orgQuery(from, to, step)).as(step).isEqualTo(expected);
        }
    }

    /** bucket → {count, sum, min, max} of cpu_usage over the organization, from the service. */
    private static TreeMap<Instant, List<Double>> orgQuery(Instant from, Instant to, String step) {
        Http.Response r = service.as(token).get("/api/v1/metrics/query?scope=org&metric=cpu_usage&agg=count&agg=sum&agg=min&agg=max"
                + "&step=" + step + "&from=" + from + "&to=" + to);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        TreeMap<Instant, List<Double>> out = new TreeMap<>();
        for (JsonNode s : r.json().path("series")) { // count, sum, min, max
            boolean sum = s.path("agg").asText().equals("sum");
            for (JsonNode p : s.path("points")) {
                double v = p.get(1).asDouble();
                out.computeIfAbsent(Instant.parse(p.get(0).asText()), k -> new ArrayList<>()).add(sum ? round(v) : v);
            }
        }
        return out;
    }

    /** Sums are rounded: the service and SQL add the same values in different orders. */
    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }

    /** The same aggregation in SQL over the raw samples. */
    private static TreeMap<Instant, List<Double>> rawAggregates(Instant from, Instant to, String step) throws Exception {
        String width = switch (step) {
            case "1m" -> "1 minute";
            case "5m" -> "5 minutes";
            default -> "1 hour";
        };
        String sql = "SELECT date_bin(interval '" + width + "', ts, timestamptz 'epoch'), count(cpu_usage), sum(cpu_usage), min(cpu_usage), max(cpu_usage)"
                + " FROM vm_metrics WHERE org_id = ? AND ts >= ? AND ts < ? GROUP BY 1 ORDER BY 1";
        TreeMap<Instant, List<Double>> out = new TreeMap<>();
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, org);
            ps.setObject(2, from.atOffset(ZoneOffset.UTC));
            ps.setObject(3, to.atOffset(ZoneOffset.UTC));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getTimestamp(1).toInstant(), List.of((double) rs.getLong(2), round(rs.getDouble(3)),
                            rs.getDouble(4), rs.getDouble(5)));
                }
            }
        }
        return out;
    }
}
