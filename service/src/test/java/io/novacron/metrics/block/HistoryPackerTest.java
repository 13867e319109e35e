package io.novacron.metrics.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packer's move is all or nothing: a connection killed mid-move leaves every sample in its
 * row, and the next run moves them; packed samples read back bit for bit; health and /metrics
 * report both tiers; retention drops whole days of blocks.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HistoryPackerTest {
    @RegisterExtension
    static final TestApp service = new TestApp(HistoryPackerTest.class);
    static MetricsFixture fx;
    static long org, vm, node;
    static String token;
    static Instant start;
    /** ts (epoch ms) → the six values sent for the VM. */
    static final TreeMap<Long, double[]> sent = new TreeMap<>();

    @BeforeAll
    static void data() throws Exception {
        fx = new MetricsFixture(service.database());
        org = fx.org("pk");
        vm = fx.vm(org, "v");
        node = fx.node("pn");
        token = fx.token(org, "operator");
        Random rnd = new Random(3);
        start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(7, ChronoUnit.HOURS);
        List<String> lines = new ArrayList<>();
        double cpu = 40;
        for (int i = 0; i < 6 * 60; i++) {
            long ms = start.plusSeconds(60L * i).toEpochMilli() + (i % 7 == 0 ? rnd.nextInt(3000) : 0);
            cpu = Math.max(0, Math.min(100, Math.round((cpu + rnd.nextGaussian()) * 100) / 100.0));
            double[] v = {cpu, i % 50 == 0 ? -0.0 : 61.25, rnd.nextInt(5_000_000), Math.exp(rnd.nextGaussian() * 5), 1e300 * rnd.nextDouble(), 0};
            sent.put(ms, v);
            lines.add("vm,vm_id=" + vm + " cpu_usage=" + v[0] + ",memory_usage=" + v[1] + ",disk_read_bps=" + v[2] + ",disk_write_bps=" + v[3]
                    + ",net_rx_bps=" + v[4] + ",net_tx_bps=" + v[5] + " " + ms);
            lines.add("node,node_id=" + node + " cpu_usage=" + v[0] + " " + ms);
        }
        // A few samples of yesterday (its partition is emptied by packing, then truncated).
        long yesterday = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS).plus(3, ChronoUnit.HOURS).toEpochMilli();
        for (int i = 0; i < 30; i++) {
            lines.add("vm,vm_id=" + vm + " cpu_usage=" + i + " " + (yesterday + i * 60_000L));
        }
        Http.Response r = service.admin().send("POST", "/api/v1/metrics/write?precision=ms", String.join("\n", lines), Map.of("Content-Type", "text/plain"));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        new RollupCompactor(tx(), Duration.ofDays(7), Clock.systemUTC(), new SimpleMeterRegistry()).compactAll();
    }

    static Tx tx() {
        return new Tx(service.app().database().dataSource());
    }

    static HistoryPacker packer() {
        return new HistoryPacker(tx(), service.app().database().dataSource(), Duration.ofHours(2), Clock.systemUTC(), new SimpleMeterRegistry());
    }

    @Test
    @Order(1)
    void aMoveKilledMidwayLeavesEverySampleInItsRow() throws Exception {
        long rows = fx.one("SELECT count(*) FROM vm_metrics");
        try (Connection blocker = service.database().connect(); Connection killer = service.database().connect()) {
            blocker.setAutoCommit(false);
            try (Statement st = blocker.createStatement()) {
                st.execute("LOCK TABLE vm_metric_block IN ACCESS EXCLUSIVE MODE"); // the move's COPY waits here
            }
            CompletableFuture<Long> run = CompletableFuture.supplyAsync(() -> packer().packAll());
            int pid = 0;
            for (int i = 0; i < 3000 && pid == 0; i++) { // at most 5 minutes on a loaded machine
                try (Statement st = killer.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY vm_metric_block%'")) {
                    pid = rs.next() ? rs.getInt(1) : 0;
                }
                Thread.sleep(100);
            }
            assertThat(pid).as("the packer's COPY waiting for the block table").isPositive();
            try (Statement st = killer.createStatement()) {
                st.execute("SELECT pg_terminate_backend(" + pid + ")");
            }
            assertThatThrownBy(run::join).hasCauseInstanceOf(io.novacron.db.DbException.class); // its connection died mid-COPY
            blocker.rollback();
        }
        assertThat(fx.one("SELECT count(*) FROM vm_metrics")).as("every sample still a row").isEqualTo(rows);
        assertThat(fx.one("SELECT count(*) FROM vm_metric_block")).isZero();
        assertThat(fx.one("SELECT count(*) FROM metric_pack_watermark WHERE scope = 'vm' AND moved_until < packed_until")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void theNextRunMovesThemAndTheyReadBackBitForBit() throws Exception {
        long rows = fx.one("SELECT count(*) FROM vm_metrics");
        long moved = packer().packAll();
        assertThat(moved).isPositive();
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE ts < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'vm')")).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_metrics") + fx.one("SELECT coalesce(sum(n), 0) FROM vm_metric_block")).isEqualTo(rows);
        assertThat(fx.one("SELECT count(*) FROM metric_pack_watermark WHERE moved_until = packed_until")).isEqualTo(2);
        assertThat(fx.one("SELECT pg_relation_size('vm_metrics_p' || to_char(current_date - 1, 'YYYYMMDD') || '_pkey')"))
                .as("yesterday's emptied partition truncated: its index too").isLessThanOrEqualTo(8192);
        assertThat(fx.one("SELECT sum(samples) FROM metric_pack_stats")).isEqualTo(moved);
        // Below packed_until the blocks are the 5-minute tier (V41); the hour tier stays.
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 300 AND bucket < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'vm')")).isZero();
        assertThat(fx.one("SELECT count(*) FROM node_rollup WHERE step_s = 300 AND bucket < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'node')")).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 3600 AND bucket < (SELECT packed_until FROM metric_pack_watermark WHERE scope = 'vm')")).isPositive();
        Http.Response r = service.as(token).get("/api/v1/metrics/query?scope=vm&id=" + vm + "&from=" + start + "&to=" + Instant.now()
                + "&step=raw&agg=min&metric=cpu_usage&metric=memory_usage&metric=disk_read_bps&metric=disk_write_bps&metric=net_rx_bps&metric=net_tx_bps");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        int m = 0;
        for (JsonNode s : r.json().path("series")) {
            List<Long> ts = new ArrayList<>();
            int metric = m++;
            for (JsonNode p : s.path("points")) {
                long ms = Instant.parse(p.get(0).asText()).toEpochMilli();
                ts.add(ms);
                assertThat(Double.doubleToLongBits(p.get(1).asDouble())).as("%s at %d", s.path("metric").asText(), ms)
                        .isEqualTo(Double.doubleToLongBits(sent.get(ms)[metric]));
            }
            assertThat(ts).containsExactlyElementsOf(sent.keySet());
        }
    }

    @Test
    @Order(3)
    void healthAndMetricsShowPackedAndHotHistory() {
        JsonNode health = service.admin().get("/api/v1/admin/db/health").json().path("packed_history");
        assertThat(health).hasSize(2);
        JsonNode vmRow = health.get(1).path("scope").asText().equals("vm") ? health.get(1) : health.get(0);
        assertThat(vmRow.path("packed_samples").asLong()).isPositive();
        assertThat(vmRow.path("blocks").asLong()).isPositive();
        assertThat(vmRow.path("packed_bytes_per_sample").asDouble()).isPositive();
        assertThat(vmRow.path("backlog_hours").asLong()).isZero();
        assertThat(vmRow.path("oldest_unpacked_hour").asText()).isNotEmpty();
        // The service's own packer is off in tests; a packer's gauges read the same statistics.
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        HistoryPacker exported = new HistoryPacker(tx(), service.app().database().dataSource(), Duration.ZERO, Clock.systemUTC(), registry);
        exported.refreshStats();
        assertThat(registry.get("novacron_history_samples").tag("scope", "vm").tag("tier", "packed").gauge().value()).isPositive();
        assertThat(registry.get("novacron_history_bytes_per_sample").tag("scope", "vm").tag("tier", "packed").gauge().value()).isPositive();
        assertThat(registry.get("novacron_pack_backlog_hours").tag("scope", "vm").gauge().value()).isZero();
    }

    @Test
    @Order(4)
    void retentionDropsWholeDaysOfBlocksAfterTheFiveMinuteTier() throws Exception {
        // Blocks are the 5-minute tier of packed hours (V41): a day of them outlives its raw rows
        // up to the 5-minute retention, then goes as a whole partition.
        try (Connection c = service.database().connect(); Statement st = c.createStatement()) {
            st.execute("SELECT ensure_metric_partitions(current_date - 9, current_date - 9)");
            st.execute("SELECT ensure_metric_partitions(current_date - 31, current_date - 31)");
            st.execute("SELECT drop_metric_partitions(now() - interval '7 days', now() - interval '30 days')");
        }
        assertThat(partitions("vm_metrics", 9)).isZero();
        assertThat(partitions("node_metrics", 9)).isZero();
        assertThat(partitions("vm_metric_block", 9)).isEqualTo(1);
        assertThat(partitions("node_metric_block", 9)).isEqualTo(1);
        assertThat(partitions("vm_metric_block", 31)).isZero();
        assertThat(partitions("node_metric_block", 31)).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_metric_block")).isPositive();
    }

    private long partitions(String table, int daysAgo) throws Exception {
        return fx.one("SELECT count(*) FROM pg_class WHERE relname = '" + table + "_p' || to_char(current_date - " + daysAgo + ", 'YYYYMMDD')");
    }
}
