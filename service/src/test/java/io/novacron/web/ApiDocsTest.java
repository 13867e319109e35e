package io.novacron.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.support.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The API reference is browsable from a running service: Swagger UI over its own OpenAPI document. */
class ApiDocsTest {
    @RegisterExtension
    static final TestApp service = new TestApp(ApiDocsTest.class);

    @Test
    void theBrowsableReferenceLoadsSwaggerUiOverTheServicesDocument() {
        var page = service.anonymous().get("/docs/api/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui-bundle.js").contains("init.js");
        assertThat(service.anonymous().get("/docs/api/init.js").body()).contains("'/openapi.json'");
        var bundle = service.anonymous().get("/webjars/swagger-ui/5.35.0/swagger-ui-bundle.js");
        assertThat(bundle.status()).isEqualTo(200);
        assertThat(bundle.body()).contains("SwaggerUIBundle");
        assertThat(service.anonymous().get("/openapi.json").json().path("paths").has("/api/v1/vms")).isTrue();
    }
}
