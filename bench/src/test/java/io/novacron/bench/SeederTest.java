package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.novacron.config.ConfigException;
import io.novacron.support.TestApp;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A dataset loaded through the real service: every sample stored once, late and re-sent ones included. */
class SeederTest {
    @RegisterExtension
    static final TestApp service = new TestApp(SeederTest.class);

    static final Dataset TINY = new Dataset("tiny", 3, 6, 5, 90, 30, 2, 60);

    @Test
    void everySampleIsStoredOnceThroughTheIngestionApiAndASecondLoadIsRefused() throws Exception {
        Seeder seeder = new Seeder(service.app().config().db(), service.baseUrl(), TestApp.ADMIN_TOKEN, 1_000, 2,
                new PrintStream(OutputStream.nullOutputStream()));
        Seeder.Result r = seeder.seed(TINY, 42);

        assertThat(r.inventoryRows()).isEqualTo(3 + 6 + 5 + 90);
        assertThat(r.ingest().accepted()).isEqualTo(TINY.vmSamples() + TINY.nodeSamples());
        assertThat(r.ingest().duplicates()).isEqualTo(r.ingest().sent() - r.ingest().accepted());
        try (Connection c = service.database().connect(); Statement st = c.createStatement()) {
            assertThat(scalar(st, "SELECT count(*) FROM vm_metrics")).isEqualTo(TINY.vmSamples());
            assertThat(scalar(st, "SELECT count(*) FROM node_metrics")).isEqualTo(TINY.nodeSamples());
            assertThat(scalar(st, "SELECT count(*) FROM vm_latest")).isEqualTo(TINY.metricVms());
            // Every series ends at the anchor: late samples never moved a latest value backwards.
            assertThat(scalar(st, "SELECT count(DISTINCT ts) FROM vm_latest")).isEqualTo(1);
        }
        assertThat(seeder.loaded(TINY, 42)).isTrue();
        assertThat(seeder.loaded(TINY, 43)).isFalse();
        assertThatThrownBy(() -> seeder.seed(TINY, 42)).isInstanceOf(ConfigException.class).hasMessageContaining("already loaded");
    }

    private static long scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
