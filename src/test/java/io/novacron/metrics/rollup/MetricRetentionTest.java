package io.novacron.metrics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.db.Tx;
import io.novacron.metrics.MetricsFixture;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
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
        assertThat(fx.one("SELECT count(*) FROM pg_class WHERE relname = 'vm_metrics_p' || to_char(current_date + 2, 'YYYYMMDD')")).isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 300")).isZero();
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 3600")).isEqualTo(1);
        assertThat(fx.one("SELECT count(*) FROM vm_rollup WHERE step_s = 86400")).isEqualTo(1);
    }
}
