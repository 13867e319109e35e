package io.novacron.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.app.Application;
import io.novacron.support.TestApp;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OpenAPI document and the routes Javalin registered are the same set, so the document cannot drift. */
class OpenApiMatchesRoutesTest {
    @RegisterExtension
    static final TestApp service = new TestApp(OpenApiMatchesRoutesTest.class);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    @Test
    void everyRegisteredRouteIsDocumentedAndEveryDocumentedOperationExists() {
        Set<String> registered = new TreeSet<>();
        for (Application.Route r : service.app().routes()) {
            registered.add(r.method().toUpperCase() + " " + r.path());
        }
        Set<String> documented = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = OpenApi.document().path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> path = it.next();
            path.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) {
                    documented.add(m.toUpperCase() + " " + path.getKey());
                }
            });
        }
        assertThat(registered).as("routes missing from the OpenAPI document")
                .containsAll(Set.of("GET /healthz", "POST /api/v1/vms"));
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> phantom = new TreeSet<>(documented);
        phantom.removeAll(registered);
        assertThat(undocumented).as("registered but not documented").isEmpty();
        assertThat(phantom).as("documented but not registered").isEmpty();
    }

    @Test
    void everyOperationDocumentsItsResponsesAndPathParameters() {
        OpenApi.document().path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            assertThat(op.getValue().path("responses").size()).as(op.getKey() + " " + path.getKey()).isPositive();
            long placeholders = path.getKey().chars().filter(ch -> ch == '{').count();
            long pathParams = 0;
            for (JsonNode p : op.getValue().path("parameters")) {
                String ref = p.path("$ref").asText("");
                if ("path".equals(p.path("in").asText()) || ref.endsWith("/id")) {
                    pathParams++;
                }
            }
            assertThat(pathParams).as("path parameters of " + op.getKey() + " " + path.getKey()).isEqualTo(placeholders);
        }));
    }

    @Test
    void theServedDocumentIsTheMergedOne() {
        JsonNode served = service.anonymous().get("/openapi.json").json();
        assertThat(served.path("paths").has("/api/v1/vms/{id}/actions/{action}")).isTrue();
        assertThat(served).isEqualTo(OpenApi.document());
    }
}
