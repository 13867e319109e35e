package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.reads.Inventory;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The baseline answers the same questions as the optimized reads (those on inventory tables). */
class BaselineQueriesTest {
    @RegisterExtension
    static final TestApp service = new TestApp(BaselineQueriesTest.class);

    static long org;

    @BeforeAll
    static void inventory() throws SQLException {
        try (Connection c = service.database().connect()) {
            Inventory inv = new Inventory(c);
            org = inv.org("base");
            long owner = inv.user(org, "b@b.test");
            long owner2 = inv.user(org, "c@b.test");
            long n1 = inv.node("bn-1", "z1", 64, 1_000_000, 10_000);
            long n2 = inv.node("bn-2", "z2", 32, 1_000_000, 10_000);
            String[] states = {"running", "running", "stopped", "paused", "pending", "error"};
            for (int i = 0; i < 30; i++) {
                String s = states[i % states.length];
                inv.vm(org, i % 3 == 0 ? owner2 : owner, s.equals("stopped") || s.equals("error") ? null : (i % 2 == 0 ? n1 : n2),
                        "b-" + i, s, 1 + i % 3, 512L * (1 + i % 2), "{\"tags\":[\"t" + i % 2 + "\"]}");
            }
        }
    }

    @Test
    void dashboardBaselineEqualsTheMaintainedFigures() throws SQLException {
        JsonNode d = service.admin().get("/api/v1/dashboard?org_id=" + org).json();
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(BaselineQueries.DASHBOARD_ORG)) {
            ps.setLong(1, org);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(d.path("vms").path("total").asLong()).isEqualTo(rs.getLong("total"));
                assertThat(d.path("vms").path("by_state").path("paused").asLong()).isEqualTo(rs.getLong("paused"));
                assertThat(d.path("allocated").path("memory_mb").asLong()).isEqualTo(rs.getLong("allocated_memory_mb"));
                assertThat(d.path("running").path("cpu_cores").asLong()).isEqualTo(rs.getLong("running_cpu_cores"));
                assertThat(d.path("nodes_in_use").asLong()).isEqualTo(rs.getLong("nodes_in_use"));
                assertThat(d.path("owners").asLong()).isEqualTo(rs.getLong("owners"));
                assertThat(d.path("created_last_24h").asLong()).isEqualTo(rs.getLong("created_last_24h"));
            }
        }
        try (Connection c = service.database().connect(); var st = c.createStatement();
             ResultSet rs = st.executeQuery(BaselineQueries.DASHBOARD_PLATFORM)) {
            rs.next();
            assertThat(service.admin().get("/api/v1/dashboard").json().path("vms").path("total").asLong()).isEqualTo(rs.getLong("total"));
        }
    }

    @Test
    void listingAndCapacityBaselinesAnswerTheSameQuestion() throws SQLException {
        JsonNode page = service.admin().get("/api/v1/vms?org_id=" + org + "&state=running&tag=t0&limit=500").json();
        List<Long> optimized = new ArrayList<>();
        page.path("items").forEach(v -> optimized.add(v.path("id").asLong()));
        List<Long> baseline = new ArrayList<>();
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(BaselineQueries.LISTING_PAGE)) {
            Object[] args = {org, "running", "running", null, null, null, null, "{t0}", "{t0}", null, null, null, null,
                    null, null, 0, 500};
            int[] types = {Types.BIGINT, Types.VARCHAR, Types.VARCHAR, Types.BIGINT, Types.BIGINT, Types.BIGINT, Types.BIGINT,
                    Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.VARCHAR, Types.TIMESTAMP_WITH_TIMEZONE,
                    Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.TIMESTAMP_WITH_TIMEZONE, Types.INTEGER, Types.INTEGER};
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i], types[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    baseline.add(rs.getLong("id"));
                }
            }
        }
        assertThat(optimized).containsExactlyInAnyOrderElementsOf(baseline).isNotEmpty();

        JsonNode cap = service.admin().get("/api/v1/nodes/capacity").json();
        try (Connection c = service.database().connect(); PreparedStatement ps = c.prepareStatement(BaselineQueries.CAPACITY)) {
            for (int i = 1; i <= 8; i++) {
                ps.setNull(i, i <= 2 ? Types.VARCHAR : Types.BIGINT);
            }
            ps.setInt(9, 50);
            try (ResultSet rs = ps.executeQuery()) {
                for (JsonNode n : cap.path("items")) {
                    rs.next();
                    assertThat(n.path("node_id").asLong()).isEqualTo(rs.getLong("id"));
                    assertThat(n.path("allocated").path("cpu_cores").asLong()).isEqualTo(rs.getLong("alloc_cpu_cores"));
                    assertThat(n.path("vm_count").asLong()).isEqualTo(rs.getLong("vm_count"));
                }
            }
        }
    }
}
