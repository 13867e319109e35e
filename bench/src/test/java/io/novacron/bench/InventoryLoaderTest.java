package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.db.Database;
import io.novacron.support.FreshDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InventoryLoaderTest {
    @RegisterExtension
    static final FreshDatabase db = new FreshDatabase(InventoryLoaderTest.class);
    static Database schema;

    @BeforeAll
    static void migrate() {
        schema = Database.open(db.config().db(), new SimpleMeterRegistry());
    }

    @AfterAll
    static void close() {
        schema.close();
    }

    @Test
    void theInventoryIsCopiedWithNodeCountersKeptByTheTriggerAndIdsContinuingAfterExistingRows() throws Exception {
        try (Connection c = db.connect()) {
            FleetGenerator first = new FleetGenerator(Dataset.SMALL, 42, Instant.parse("2026-11-29T12:00:00Z"), InventoryLoader.nextIds(c));
            long rows = InventoryLoader.load(c, first);
            assertThat(rows).isEqualTo(10 + 100 + 50 + 2_000);
            FleetGenerator second = new FleetGenerator(Dataset.SMOKE, 1, Instant.parse("2026-11-29T12:00:00Z"), InventoryLoader.nextIds(c));
            assertThat(second.base()).isEqualTo(new Fleet.IdBase(10, 100, 50, 2_000));
            InventoryLoader.load(c, second);
            try (Statement st = c.createStatement()) {
                assertThat(scalar(st, "SELECT count(*) FROM vm")).isEqualTo(2_300);
                // The counters the trigger maintained equal a recount over the VMs holding resources.
                assertThat(scalar(st, """
                        SELECT count(*) FROM node n LEFT JOIN (
                            SELECT node_id, sum(cpu_cores) c, sum(memory_mb) m, sum(disk_gb) d, count(*) k FROM vm
                            WHERE vm_state_holds_resources(state) GROUP BY node_id) a ON a.node_id = n.id
                        WHERE n.alloc_cpu_cores <> coalesce(a.c, 0) OR n.alloc_memory_mb <> coalesce(a.m, 0)
                           OR n.alloc_disk_gb <> coalesce(a.d, 0) OR n.vm_count <> coalesce(a.k, 0)""")).isZero();
                assertThat(scalar(st, "SELECT count(*) FROM node WHERE alloc_cpu_cores > 0.9 * cpu_cores OR alloc_memory_mb > 0.9 * memory_mb"))
                        .isPositive();
                st.execute("INSERT INTO org (name) VALUES ('after-the-load')"); // the identity sequence moved past the copied ids
            }
            assertThatThrownBy(() -> InventoryLoader.load(c, first)).hasMessageContaining("duplicate key");
        }
    }

    private static long scalar(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
