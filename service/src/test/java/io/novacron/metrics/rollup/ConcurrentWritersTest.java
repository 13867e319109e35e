package io.novacron.metrics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Parallel batches over the same series and buckets (overlapping keys, so also racing on the
 * same raw rows) while the compactor runs: nothing deadlocks, each sample is stored and counted
 * exactly once in raw, org_usage_1m and every rollup tier.
 */
class ConcurrentWritersTest {
    @RegisterExtension
    static final TestApp service = new TestApp(ConcurrentWritersTest.class);

    @Test
    void overlappingBatchesAreCountedExactlyOnceEverywhere() throws Exception {
        MetricsFixture fx = new MetricsFixture(service.database());
        long org = fx.org("c");
        long[] vms = {fx.vm(org, "c1"), fx.vm(org, "c2"), fx.vm(org, "c3")};
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(4, ChronoUnit.HOURS);
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean done = new AtomicBoolean();
        RollupCompactor compactor = new RollupCompactor(new Tx(service.app().database().dataSource()), java.time.Duration.ofDays(7), java.time.Clock.systemUTC(),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Future<?> compacting = pool.submit(() -> {
            while (!done.get()) {
                compactor.compactAll();
            }
        });
        List<Future<Long>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int seed = w;
            results.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                long accepted = 0;
                for (int batch = 0; batch < 8; batch++) {
                    StringBuilder body = new StringBuilder();
                    for (int i = 0; i < 300; i++) {
                        long vm = vms[rnd.nextInt(vms.length)];
                        // 180 minutes × 3 VMs = 540 possible keys: writers collide constantly.
                        long ts = start.plusSeconds(60L * rnd.nextInt(180)).getEpochSecond();
                        body.append("vm,vm_id=").append(vm).append(" cpu_usage=").append(ts % 100)
                                .append(",memory_usage=50,disk_read_bps=1,disk_write_bps=2,net_rx_bps=3,net_tx_bps=4 ")
                                .append(ts).append('\n');
                    }
                    Http.Response r;
                    do {
                        r = service.admin().send("POST", "/api/v1/metrics/write?precision=s", body.toString(), Map.of("Content-Type", "text/plain"));
                    } while (r.status() == 429);
                    assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    accepted += r.json().path("accepted").asLong();
                }
                return accepted;
            }));
        }
        long accepted = 0;
        for (Future<Long> f : results) {
            accepted += f.get();
        }
        done.set(true);
        compacting.get();
        pool.shutdown();
        // The service's own compactor runs too; whichever holds the scope's lock does the round.
        // Done when ingest_until reaches the newest sample's chunk minus the grace, the 5-minute
        // tier its last whole hour, and no partial waits below the tier (late ones are folded).
        catchUp(fx, compactor);

        long raw = fx.one("SELECT count(*) FROM vm_metrics WHERE org_id = ?", org);
        assertThat(accepted).isEqualTo(raw);
        assertThat(fx.one("SELECT sum(samples) FROM org_usage_1m WHERE org_id = ?", org)).isEqualTo(raw);
        assertThat(fx.dbl("SELECT sum(cpu_sum) FROM org_usage_1m WHERE org_id = ?", org))
                .isEqualTo(fx.dbl("SELECT sum(cpu_usage::float8) FROM vm_metrics WHERE org_id = ?", org));
        // Each series tier holds, with the delta rows before its watermark, every sample before
        // it; past the watermarks queries read raw rows. The compactor has caught up: no delta is
        // left below the 5-minute tier's watermark (partials past it repeat raw rows and are
        // dropped when their hour is built).
        assertThat(fx.one("SELECT count(*) FROM vm_rollup_delta WHERE bucket < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm')"))
                .isZero();
        assertThat(fx.one("SELECT count(*) FROM rollup_watermark WHERE scope = 'vm' AND tier_until = date_trunc('hour', tier_until)"))
                .as("5-minute rows are built per whole hour").isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM vm_metrics WHERE org_id = ? AND ts < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm')", org))
                .as("the 5-minute tier covers most of the window").isGreaterThan(raw / 2);
        for (String[] tier : List.of(new String[] {"300", "tier_until"}, new String[] {"3600", "hour_until"}, new String[] {"86400", "day_until"})) {
            String until = "(SELECT " + tier[1] + " FROM rollup_watermark WHERE scope = 'vm')";
            assertThat(fx.one("SELECT coalesce(sum(n), 0) FROM vm_rollup WHERE org_id = ? AND step_s = ? AND bucket < " + until, org, Integer.parseInt(tier[0])))
                    .as("vm tier %s", tier[0])
                    .isEqualTo(fx.one("SELECT count(*) FROM vm_metrics WHERE org_id = ? AND ts < " + until, org));
        }
        for (int step : List.of(60, 300, 3600, 86400)) {
            assertThat(fx.one("SELECT sum(n) FROM org_rollup WHERE org_id = ? AND step_s = ?", org, step)).as("org tier %s", step).isEqualTo(raw);
        }
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE org_id = ? AND step_s = 300", org))
                .isEqualTo(fx.one("SELECT count(DISTINCT (vm_id, date_bin('5 minutes', ts, 'epoch'))) FROM vm_metrics WHERE org_id = ?"
                        + " AND ts < (SELECT tier_until FROM rollup_watermark WHERE scope = 'vm')", org));
        for (long vm : vms) {
            assertThat(fx.one("SELECT count(*) FROM vm_latest l WHERE vm_id = ? AND ts = (SELECT max(ts) FROM vm_metrics WHERE vm_id = ?)", vm, vm)).isEqualTo(1);
        }
    }

    /**
     * Runs the compactor until ingest_until reaches the newest sample's chunk minus the grace, the
     * 5-minute tier its last whole hour, and no partial waits below the tier (late ones are
     * folded). The service's own compactor runs too; whichever holds the scope's lock does the round.
     */
    private static void catchUp(MetricsFixture fx, RollupCompactor compactor) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        do {
            compactor.compactAll();
        } while (fx.one("SELECT count(*) FROM rollup_watermark WHERE scope = 'vm' AND (ingest_until IS NULL"
                + " OR ingest_until < date_bin('5 minutes', (SELECT max(ts) FROM vm_latest) - interval '10 minutes', 'epoch')"
                + " OR tier_until < date_trunc('hour', ingest_until)"
                + " OR EXISTS (SELECT 1 FROM vm_rollup_delta WHERE bucket < tier_until) OR EXISTS (SELECT 1 FROM org_rollup_delta))") > 0
                && System.nanoTime() < deadline);

    }

    /**
     * Partial samples racing: writers send random subsets of each sample's metrics for colliding
     * keys, so batches insert, fill and duplicate the same rows at once. Every (series, ts, metric)
     * is counted exactly once: per metric, the values in every tier and in org_usage_1m equal the
     * raw values, and the latest values hold each metric's newest value.
     */
    @Test
    void partialSamplesFilledConcurrentlyAreCountedOncePerMetric() throws Exception {
        MetricsFixture fx = new MetricsFixture(service.database());
        long org = fx.org("partial");
        long[] vms = {fx.vm(org, "p1"), fx.vm(org, "p2")};
        String[] metrics = {"cpu_usage", "memory_usage", "disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps"};
        Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(4, ChronoUnit.HOURS);
        int writers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        AtomicBoolean done = new AtomicBoolean();
        RollupCompactor compactor = new RollupCompactor(new Tx(service.app().database().dataSource()), java.time.Duration.ofDays(7),
                java.time.Clock.systemUTC(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
        Future<?> compacting = pool.submit(() -> {
            while (!done.get()) {
                compactor.compactAll();
            }
        });
        List<Future<long[]>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int seed = 100 + w;
            results.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                long[] counts = new long[2];
                for (int batch = 0; batch < 8; batch++) {
                    StringBuilder body = new StringBuilder();
                    for (int i = 0; i < 300; i++) {
                        long vm = vms[rnd.nextInt(vms.length)];
                        long ts = start.plusSeconds(60L * rnd.nextInt(180)).getEpochSecond();
                        int mask = 1 + rnd.nextInt(63);
                        List<String> fields = new ArrayList<>();
                        for (int m = 0; m < 6; m++) {
                            if ((mask & (1 << m)) != 0) {
                                // a value fixed by (series, ts, metric) and not by the writer: whoever stores it, it is the same
                                fields.add(metrics[m] + "=" + ((ts / 60 + vm * 7 + m * 13) % 100));
                            }
                        }
                        body.append("vm,vm_id=").append(vm).append(' ').append(String.join(",", fields)).append(' ').append(ts).append('\n');
                    }
                    Http.Response r;
                    do {
                        r = service.admin().send("POST", "/api/v1/metrics/write?precision=s", body.toString(), Map.of("Content-Type", "text/plain"));
                    } while (r.status() == 429);
                    assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    counts[0] += r.json().path("accepted").asLong();
                    counts[1] += r.json().path("duplicates").asLong();
                }
                return counts;
            }));
        }
        long accepted = 0, duplicates = 0;
        for (Future<long[]> f : results) {
            accepted += f.get()[0];
            duplicates += f.get()[1];
        }
        done.set(true);
        compacting.get();
        pool.shutdown();
        catchUp(fx, compactor);

        long raw = fx.one("SELECT count(*) FROM vm_metrics WHERE org_id = ?", org);
        assertThat(accepted + duplicates).isEqualTo(writers * 8 * 300);
        assertThat(accepted).as("a new row is an accepted sample; fills are accepted too").isGreaterThanOrEqualTo(raw);
        assertThat(fx.one("SELECT sum(samples) FROM org_usage_1m WHERE org_id = ?", org)).isEqualTo(raw);
        assertThat(fx.one("SELECT sum(coalesce(cpu_samples, samples)) FROM org_usage_1m WHERE org_id = ?", org))
                .isEqualTo(fx.one("SELECT count(cpu_usage) FROM vm_metrics WHERE org_id = ?", org));
        assertThat(fx.one("SELECT sum(coalesce(memory_samples, samples)) FROM org_usage_1m WHERE org_id = ?", org))
                .isEqualTo(fx.one("SELECT count(memory_usage) FROM vm_metrics WHERE org_id = ?", org));
        assertThat(fx.dbl("SELECT sum(memory_sum) FROM org_usage_1m WHERE org_id = ?", org))
                .isEqualTo(fx.dbl("SELECT coalesce(sum(memory_usage), 0) FROM vm_metrics WHERE org_id = ?", org));
        for (int m = 0; m < 6; m++) {
            int k = m + 1;
            for (String[] tier : List.of(new String[] {"300", "tier_until"}, new String[] {"3600", "hour_until"}, new String[] {"86400", "day_until"})) {
                String until = "(SELECT " + tier[1] + " FROM rollup_watermark WHERE scope = 'vm')";
                assertThat(fx.one("SELECT coalesce(sum(coalesce(counts[" + k + "], n)), 0) FROM vm_rollup WHERE org_id = ? AND step_s = ? AND bucket < "
                        + until, org, Integer.parseInt(tier[0])))
                        .as("vm tier %s %s", tier[0], metrics[m])
                        .isEqualTo(fx.one("SELECT count(" + metrics[m] + ") FROM vm_metrics WHERE org_id = ? AND ts < " + until, org));
                assertThat(fx.dbl("SELECT coalesce(sum(sums[" + k + "]), 0) FROM vm_rollup WHERE org_id = ? AND step_s = ? AND bucket < " + until,
                        org, Integer.parseInt(tier[0])))
                        .isEqualTo(fx.dbl("SELECT coalesce(sum(" + metrics[m] + "), 0) FROM vm_metrics WHERE org_id = ? AND ts < " + until, org));
            }
            for (int step : List.of(60, 300, 3600, 86400)) {
                assertThat(fx.one("SELECT sum(coalesce(counts[" + k + "], n)) FROM org_rollup WHERE org_id = ? AND step_s = ?", org, step))
                        .as("org tier %s %s", step, metrics[m])
                        .isEqualTo(fx.one("SELECT count(" + metrics[m] + ") FROM vm_metrics WHERE org_id = ?", org));
            }
            for (long vm : vms) {
                assertThat(fx.one("SELECT count(*) FROM vm_latest l WHERE vm_id = ? AND l." + metrics[m] + " IS NOT DISTINCT FROM (SELECT "
                        + metrics[m] + " FROM vm_metrics WHERE vm_id = ? AND " + metrics[m] + " IS NOT NULL ORDER BY ts DESC LIMIT 1)", vm, vm))
                        .as("latest %s", metrics[m]).isEqualTo(1);
            }
        }
        for (int step : List.of(60, 300, 3600, 86400)) {
            assertThat(fx.one("SELECT sum(n) FROM org_rollup WHERE org_id = ? AND step_s = ?", org, step)).as("org tier %s samples", step).isEqualTo(raw);
        }
    }
}
