package io.novacron.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DbHealthTest {
    @RegisterExtension
    static final TestApp service = new TestApp(DbHealthTest.class);

    @Test
    void theAdminSeesIndexesCacheRatioAndPartitions() {
        Http.Response r = service.admin().get("/api/v1/admin/db/health");
        assertThat(r.status()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("index_usage").isArray()).isTrue();
        JsonNode first = body.path("index_usage").path(0);
        assertThat(first.has("table") && first.has("index") && first.has("scans") && first.has("size_bytes")).isTrue();
        // Partition indexes are folded into their parent's: one audit_log_pkey, no audit_log_YYYYMM_pkey.
        assertThat(body.path("index_usage").toString()).doesNotContainPattern("audit_log_\\d{6}_pkey");
        assertThat(body.path("duplicate_indexes").isArray()).isTrue();
        assertThat(body.path("buffer_cache").has("hit_ratio")).isTrue();
        assertThat(body.path("partitions").toString()).contains("audit_log");
        assertThat(body.has("slowest_statements")).isTrue();
        assertThat(body.path("rollup_backlog").toString()).contains("vm_rollup_delta").contains("org_rollup_delta");
    }

    @Test
    void aDuplicateIndexIsReported() throws Exception {
        try (var c = service.database().connect(); var st = c.createStatement()) {
            st.execute("CREATE INDEX vm_org_node_copy ON vm (org_id, node_id)");
        }
        JsonNode dups = service.admin().get("/api/v1/admin/db/health").json().path("duplicate_indexes");
        assertThat(dups.toString()).contains("vm_org_node_copy").contains("vm_org_node_idx");
    }

    @Test
    void unknownParametersAreRefused() {
        assertThat(service.admin().get("/api/v1/admin/db/health?verbose=1").status()).isEqualTo(400);
    }
}
