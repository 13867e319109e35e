package io.novacron.reads;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.app.Application;
import io.novacron.support.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadsOpenApiTest {
    @RegisterExtension
    static final TestApp service = new TestApp(ReadsOpenApiTest.class);

    @Test
    void everyReadRouteIsDocumentedWithItsParameters() {
        JsonNode paths = service.anonymous().get("/openapi.json").json().path("paths");
        for (Application.Route r : service.app().routes()) {
            if (r.path().startsWith("/api/v1/dashboard") || r.path().startsWith("/api/v1/monitoring")
                    || r.path().equals("/api/v1/vms") || r.path().equals("/api/v1/nodes/capacity")) {
                assertThat(paths.path(r.path()).has(r.method().toLowerCase())).as(r.toString()).isTrue();
            }
        }
        assertThat(paths.path("/api/v1/vms").path("get").path("parameters").toString())
                .contains("\"state\"").contains("\"tag\"").contains("\"q\"").contains("created_after").contains("#/components/parameters/cursor");
        assertThat(paths.path("/api/v1/nodes/capacity").path("get").path("responses").has("304")).isTrue();
    }

    @Test
    void cacheCountersAreOnMetrics() {
        service.admin().get("/api/v1/nodes/capacity");
        assertThat(service.anonymous().get("/metrics").body()).contains("novacron_cache_requests_total");
    }
}
