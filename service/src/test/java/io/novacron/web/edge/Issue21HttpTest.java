package io.novacron.web.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.hostile.World;
import io.novacron.support.Http;
import io.novacron.support.RawHttp;
import io.novacron.support.TestApp;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 21's HTTP findings, each as a client holding only API.md saw it. */
class Issue21HttpTest {
    @RegisterExtension
    static final TestApp service = new TestApp(Issue21HttpTest.class);
    static World.Tenant t;
    static long node;
    static JsonNode vm;
    static RawHttp raw;

    @BeforeAll
    static void setUp() {
        t = World.tenant(service);
        node = World.node(service);
        vm = World.vm(t, node);
        raw = new RawHttp(service.app().port());
    }

    private static long auditTotal() {
        return service.admin().get("/api/v1/audit").json().get("total").asLong();
    }

    private static void assertErrorShape(int status, JsonNode json, String context) {
        assertThat(json.path("error").path("code").isTextual()).as(context).isTrue();
        assertThat(json.path("error").path("message").isTextual()).as(context).isTrue();
        assertThat(json.path("error").path("details").isObject()).as(context).isTrue();
        assertThat(status).as(context).isBetween(400, 599);
    }

    @Test
    void aTruncatedBodyIsInvalidJsonAndCreatesNothing() {
        long before = auditTotal();
        String email = "trunc-" + System.nanoTime() + "@x.example";
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("/api/v1/users", "{\"email\": \"" + email + "\", \"name\": \"x\", \"role\": \"viewer\"");
        cases.put("/api/v1/orgs", "{\"name\": \"trunc-org\"");
        cases.put("/api/v1/orgs/" + t.orgId() + "/tokens", "{\"name\": \"trunc\"");
        cases.put("/api/v1/vms", "{\"name\": \"v\", \"owner_id\": " + t.userId() + ", \"cpu_cores\": 1, \"memory_mb\": 512, \"disk_gb\": 5");
        cases.put("/api/v1/vms/" + vm.get("id").asLong() + "/actions/stop", "{");
        for (var c : cases.entrySet()) {
            Http h = c.getKey().startsWith("/api/v1/orgs") ? service.admin() : t.http();
            for (String body : List.of(c.getValue(), c.getValue().substring(0, c.getValue().length() - 1), c.getValue() + ",",
                    c.getValue() + "} {}", c.getValue() + "}}", "\uFEFF" + c.getValue() + "}")) {
                if (body.isEmpty()) {
                    continue; // an action without a body is a valid request
                }
                Http.Response r = h.post(c.getKey(), body);
                assertThat(r.status()).as(c.getKey() + " " + body + " -> " + r).isEqualTo(400);
                assertThat(r.errorCode()).as(c.getKey() + " " + body + " -> " + r).isEqualTo("invalid_json");
            }
        }
        Http.Response patch = t.http().patch("/api/v1/vms/" + vm.get("id").asLong(), "{\"name\": \"renamed\"");
        assertThat(patch.errorCode()).as(patch.toString()).isEqualTo("invalid_json");
        assertThat(t.http().get("/api/v1/users?limit=500").body()).doesNotContain(email);
        assertThat(auditTotal()).as("nothing was changed").isEqualTo(before);
    }

    @Test
    void aNulCharacterIsA400NamingTheFieldOnEveryRouteThatStoresText() {
        long before = auditTotal();
        String nul = "a\\u0000b";
        Http admin = service.admin();
        Http org = t.http();
        long vmId = vm.get("id").asLong();
        record Case(Http http, String method, String path, String body, String field) {
        }
        String vmBase = "\"owner_id\": " + t.userId() + ", \"cpu_cores\": 1, \"memory_mb\": 512, \"disk_gb\": 5";
        String nodeBase = "\"cpu_cores\": 1, \"memory_mb\": 1, \"disk_gb\": 1";
        List<Case> cases = List.of(
                new Case(admin, "POST", "/api/v1/orgs", "{\"name\": \"" + nul + "\"}", "name"),
                new Case(admin, "POST", "/api/v1/orgs/" + t.orgId() + "/tokens", "{\"name\": \"" + nul + "\"}", "name"),
                new Case(org, "POST", "/api/v1/users", "{\"email\": \"" + nul + "@x.example\", \"name\": \"n\", \"role\": \"viewer\"}", "email"),
                new Case(org, "POST", "/api/v1/users", "{\"email\": \"n@x.example\", \"name\": \"" + nul + "\", \"role\": \"viewer\"}", "name"),
                new Case(org, "PATCH", "/api/v1/users/" + t.userId(), "{\"name\": \"" + nul + "\"}", "name"),
                new Case(org, "PATCH", "/api/v1/users/" + t.userId(), "{\"email\": \"" + nul + "@x.example\"}", "email"),
                new Case(admin, "POST", "/api/v1/nodes", "{\"name\": \"" + nul + "\", \"zone\": \"z\", " + nodeBase + "}", "name"),
                new Case(admin, "POST", "/api/v1/nodes", "{\"name\": \"n\", \"zone\": \"" + nul + "\", " + nodeBase + "}", "zone"),
                new Case(admin, "POST", "/api/v1/nodes", "{\"name\": \"n\", \"zone\": \"z\", " + nodeBase + ", \"labels\": {\"k\": \"" + nul + "\"}}", "labels.k"),
                new Case(admin, "POST", "/api/v1/nodes", "{\"name\": \"n\", \"zone\": \"z\", " + nodeBase + ", \"labels\": {\"" + nul + "\": \"v\"}}", "labels.a\\u0000b"),
                new Case(admin, "PATCH", "/api/v1/nodes/" + node, "{\"zone\": \"" + nul + "\"}", "zone"),
                new Case(admin, "PATCH", "/api/v1/nodes/" + node, "{\"labels\": {\"rack\": \"" + nul + "\"}}", "labels.rack"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"" + nul + "\", " + vmBase + "}", "name"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"v\", " + vmBase + ", \"metadata\": {\"note\": \"" + nul + "\"}}", "metadata.note"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"v\", " + vmBase + ", \"metadata\": {\"" + nul + "\": 1}}", "metadata.a\\u0000b"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"v\", " + vmBase + ", \"metadata\": {\"tags\": [\"ok\", \"" + nul + "\"]}}", "metadata.tags[1]"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"v\", " + vmBase + ", \"metadata\": {\"a\": {\"b\": [{\"c\": \"" + nul + "\"}]}}}", "metadata.a.b[0].c"),
                new Case(org, "PATCH", "/api/v1/vms/" + vmId, "{\"name\": \"" + nul + "\"}", "name"),
                new Case(org, "PATCH", "/api/v1/vms/" + vmId, "{\"metadata\": {\"note\": \"" + nul + "\"}}", "metadata.note"),
                new Case(org, "PATCH", "/api/v1/vms/" + vmId, "{\"metadata\": {\"" + nul + "\": \"x\"}}", "metadata.a\\u0000b"),
                new Case(org, "POST", "/api/v1/vms", "{\"name\": \"\\ud800\", " + vmBase + "}", "name"));
        for (Case c : cases) {
            Http.Response r = c.http().send(c.method(), c.path(), c.body(), Map.of());
            assertThat(r.status()).as(c + " -> " + r).isEqualTo(400);
            assertThat(r.errorCode()).as(c + " -> " + r).isEqualTo("validation_failed");
            assertThat(r.json().path("error").path("details").path("field").asText()).as(c + " -> " + r).isEqualTo(c.field());
        }
        for (String q : List.of("q=%00", "tag=a%00b", "state=running%00", "sort=name%00")) {
            Http.Response r = org.get("/api/v1/vms?" + q);
            assertThat(r.status()).as(q + " -> " + r).isEqualTo(400);
            assertThat(r.json().path("error").path("details").path("field").asText()).as(q).isEqualTo(q.substring(0, q.indexOf('=')));
        }
        Http.Response audit = admin.get("/api/v1/audit?actor=%00");
        assertThat(audit.status()).as(audit.toString()).isEqualTo(400);
        assertThat(auditTotal()).as("nothing was changed").isEqualTo(before);
    }

    @Test
    void oddPathEncodingsAre4xxJson() {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + t.token());
        for (String path : List.of("/api/v1/vms/%uff0e%uff0e", "/api/v1/vms/%uFF0E", "/api/v1/vms/%ef%bc%8e%ef%bc%8e",
                "/api/v1/vms/%2e%2e", "/api/v1/vms/%2e%2e%2f%2e%2e%2forgs", "/api/v1/vms/..%2f..%2forgs", "/api/v1/vms/%c0%ae%c0%ae",
                "/api/v1/vms/%e0%80%ae", "/api/v1/vms/%ff", "/api/v1/vms/%", "/api/v1/vms/%4", "/api/v1/vms/%zz", "/api/v1/vms/%00",
                "/api/v1/vms/1%00", "/api/v1/vms/%0a", "/api/v1/vms/%5c..%5c", "/api/v1/%76ms/" + vm.get("id").asLong() + "x",
                "/api/v1/vms/" + vm.get("id").asLong() + "%3b", "/api/v1/vms?q=%uff0e", "/api/v1/vms?q=%", "/api/v1/vms?%zz=1")) {
            for (String method : List.of("GET", "DELETE", "PATCH")) {
                RawHttp.Answer a = raw.send(method, path, auth, method.equals("PATCH") ? "{}".getBytes(StandardCharsets.UTF_8) : null);
                assertThat(a.status()).as(method + " " + path + " -> " + a).isBetween(400, 499);
                assertThat(a.header("content-type")).as(method + " " + path).startsWith("application/json");
                assertErrorShape(a.status(), a.json(), method + " " + path + " -> " + a);
            }
        }
        assertThat(t.http().get("/api/v1/vms/" + vm.get("id").asLong()).status()).as("the VM is still there").isEqualTo(200);
    }

    @Test
    void jettysOwnRefusalsCarryTheJsonErrorShape() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("GET /api/v1/vms HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\nConnection: close\r\n\r\n", "431 headers_too_large");
        expected.put("GET /api/v1/vms?" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "414 uri_too_long");
        expected.put("GET /healthz HTTP/3.0\r\nHost: x\r\nConnection: close\r\n\r\n", "505 http_version_not_supported");
        expected.put("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", "400 bad_request"); // no Host
        expected.put("GET /api/v1/vms/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("GET /api/v1/vms/\u00ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("GET /api/v1/vms/\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab", "400 bad_request");
        expected.put("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nExpect: banana\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}", "417 expectation_failed");
        expected.put("GET http://elsewhere/api/v1/vms HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "400 bad_request");
        expected.put("\u0001\u0002 nonsense\r\n\r\n", "400 bad_request");
        expected.put("POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestApp.ADMIN_TOKEN
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "400 bad_request");
        for (var e : expected.entrySet()) {
            String shown = e.getKey().length() > 120 ? e.getKey().substring(0, 120) : e.getKey();
            RawHttp.Answer a = raw.exchange(e.getKey().getBytes(StandardCharsets.ISO_8859_1));
            assertThat(a.status() + " " + a.json().path("error").path("code").asText()).as(shown + " -> " + a).isEqualTo(e.getValue());
            assertThat(a.header("content-type")).as(shown).startsWith("application/json");
            assertErrorShape(a.status(), a.json(), shown + " -> " + a);
        }
    }

    @Test
    void aMergePatchNullingARequiredFieldIs422AndChangesNothing() {
        long before = auditTotal();
        long vmId = vm.get("id").asLong();
        JsonNode vmBefore = t.http().get("/api/v1/vms/" + vmId).json();
        JsonNode userBefore = t.http().get("/api/v1/users/" + t.userId()).json();
        JsonNode nodeBefore = service.admin().get("/api/v1/nodes/" + node).json();
        record Case(Http http, String path, String field) {
        }
        List<Case> cases = List.of(new Case(t.http(), "/api/v1/vms/" + vmId, "name"), new Case(t.http(), "/api/v1/vms/" + vmId, "owner_id"),
                new Case(t.http(), "/api/v1/vms/" + vmId, "metadata"),
                new Case(t.http(), "/api/v1/users/" + t.userId(), "name"), new Case(t.http(), "/api/v1/users/" + t.userId(), "email"),
                new Case(t.http(), "/api/v1/users/" + t.userId(), "role"));
        for (Case c : cases) {
            for (String body : List.of("{\"" + c.field() + "\": null}", "{\"" + c.field() + "\": null, \"name\": \"other\"}".replace(", \"name\": \"other\"", c.field().equals("name") ? "" : ", \"name\": \"other\""))) {
                Http.Response r = c.http().patch(c.path(), body);
                assertThat(r.status()).as(c + " " + body + " -> " + r).isEqualTo(422);
                assertThat(r.errorCode()).as(c + " -> " + r).isEqualTo("required_field");
                assertThat(r.json().path("error").path("details").path("field").asText()).as(c + " -> " + r).isEqualTo(c.field());
            }
        }
        for (String field : List.of("name", "zone", "cpu_cores", "memory_mb", "disk_gb", "state", "labels")) {
            Http.Response r = service.admin().patch("/api/v1/nodes/" + node, "{\"" + field + "\": null}");
            assertThat(r.status()).as(field + " -> " + r).isEqualTo(422);
            assertThat(r.json().path("error").path("details").path("field").asText()).as(field).isEqualTo(field);
        }
        assertThat(t.http().get("/api/v1/vms/" + vmId).json()).isEqualTo(vmBefore);
        assertThat(t.http().get("/api/v1/users/" + t.userId()).json()).isEqualTo(userBefore);
        assertThat(service.admin().get("/api/v1/nodes/" + node).json()).isEqualTo(nodeBefore);
        assertThat(auditTotal()).as("nothing was changed").isEqualTo(before);
        // A null inside metadata is merge-patch removal of that key, as RFC 7396 says.
        Http.Response removeKey = t.http().patch("/api/v1/vms/" + vmId, "{\"metadata\": {\"team\": null}}");
        assertThat(removeKey.status()).as(removeKey.toString()).isEqualTo(200);
        assertThat(removeKey.json().path("metadata").has("team")).isFalse();
        assertThat(removeKey.json().path("metadata").path("tags")).isEqualTo(vmBefore.path("metadata").path("tags"));
    }
}
