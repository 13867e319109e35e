package io.novacron.metrics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricRetentionTest {
    @RegisterExtension
    static final TestApp service = new TestApp(MetricRetentionTest.class);

    @Test
    void rawDaysPastRetentionAreDroppedAndRollupTiersKeepTheirOwnHistory() throws Exception {
        MetricsFixture fx = new MetricsFixture(service.database());
        try (Connection c = service.database().connect(); Statement st = c.createStatement()) {
            st.execute("SELECT ensure_metric_partitions(current_date - 9, current_date - 9)");
            String row = "(1, 2, %d, now() - interval '40 days', 1, '{1,1,1,1,1,1}', '{1,1,1,1,1,1}', '{1,1,1,1,1,1}', '\\x00')";
            st.execute("INSERT INTO vm_rollup VALUES " + row.formatted(300) + ", " + row.formatted(3600) + ", " + row.formatted(86400));
        }
        new MetricRetention(new Tx(service.app().database().dataSource()), service.app().config().retention(), Clock.systemUTC()).run();

        assertThat(fx.one("SELECT count(*) FROM pg_class WHERE relname = 'vm_metrics_p' || to_char(current_date - 9, 'YYYYMMDD')")).isZero();
        assertThat(fx.one("SELECT count(*) FROM pg_class WHERE relname = 'vm_metric_block_p' || to_char(current_date - 9, 'YYYYMMDD')"))
                .as("blocks kept for the 5-minute retention").isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM pg_class WHERE relname = 'vm_metrics_p' || to_char(current_date + 2, 'YYYYMMDD')")).isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 300")).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 3600")).isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 86400")).isEqualTo(1);
    }

    @Test
    void partitionDdlWaitsOutAnInFlightBatchInShortLockWaitsInsteadOfFailing() throws Exception {
        try (Connection c = service.database().connect(); Statement st = c.createStatement()) {
            st.execute("SELECT ensure_metric_partitions(current_date - 9, current_date - 9)");
        }
        // As an ingest batch's transaction does; dropping a partition needs the parent exclusively.
        try (Connection batch = service.database().connect()) {
            batch.setAutoCommit(false);
            batch.createStatement().execute("LOCK TABLE vm_metrics IN ROW EXCLUSIVE MODE");
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> new MetricRetention(
                    new Tx(service.app().database().dataSource()), service.app().config().retention(), Clock.systemUTC()).run());
            Thread.sleep(3 * MetricRetention.DDL_LOCK_WAIT.toMillis());
            assertThat(run).as("several lock waits have expired: retrying, not failed").isNotDone();
            // The next batch is not held behind the waiting DDL (it would be until the DDL's statement
            // timeout, 15 s, if the DDL waited for its lock that long).
            try (Connection next = service.database().connect()) {
                next.setAutoCommit(false);
                Statement st = next.createStatement();
                st.execute("SET LOCAL lock_timeout = '10s'");
                st.execute("LOCK TABLE vm_metrics IN ROW EXCLUSIVE MODE");
                next.commit();
            }
            assertThat(run).as("the first batch still holds its lock").isNotDone();
            batch.commit();
            // Its block partitions stay: blocks are the 5-minute tier of packed hours (V41), kept 30 days.
            assertThat(run.get(60, TimeUnit.SECONDS)).as("that day's vm and node row partitions dropped").isEqualTo(2);
        }
    }
}
