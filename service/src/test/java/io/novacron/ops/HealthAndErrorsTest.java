package io.novacron.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.support.Http;
import io.novacron.support.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HealthAndErrorsTest {
    @RegisterExtension
    static final TestApp service = new TestApp(HealthAndErrorsTest.class);

    @Test
    void healthAndReadinessAnswerWithoutAToken() {
        Http anon = service.anonymous();
        assertThat(anon.get("/healthz").status()).isEqualTo(200);
        Http.Response ready = anon.get("/readyz");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("ready");
    }

    @Test
    void apiRoutesNeedABearerToken() {
        Http.Response r = service.anonymous().get("/api/v1/orgs");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.errorCode()).isEqualTo("unauthorized");
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(service.as("nct_not-a-real-token").get("/api/v1/orgs").status()).isEqualTo(401);
    }

    @Test
    void unknownRoutesGetTheErrorShape() {
        Http.Response r = service.admin().get("/api/v1/no-such-thing");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("not_found");
        assertThat(r.json().path("error").has("details")).isTrue();
    }

    @Test
    void strayAmpersandsInAQueryAreNotParameters() {
        Http admin = service.admin();
        for (String query : new String[] {"?limit=5&", "?&limit=5", "?limit=5&&", "?"}) {
            assertThat(admin.get("/api/v1/orgs" + query).status()).as(query).isEqualTo(200);
        }
        Http.Response nameless = admin.get("/api/v1/orgs?=5");
        assertThat(nameless.status()).isEqualTo(400);
        assertThat(nameless.errorCode()).isEqualTo("validation_failed");
        assertThat(admin.get("/api/v1/orgs?limit=5&bogus").status()).isEqualTo(400);
    }

    @Test
    void metricsAreInPrometheusTextWithPerRouteLatency() {
        service.anonymous().get("/healthz");
        Http.Response r = service.anonymous().get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("http_server_requests_seconds_bucket").contains("route=\"/healthz\"")
                .contains("hikaricp_connections_active").contains("jvm_memory_used_bytes");
    }
}
