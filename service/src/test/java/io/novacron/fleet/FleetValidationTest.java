package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.config.ServiceConfig;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FleetValidationTest {
    static final int MAX_BODY = 64 * 1024;
    @RegisterExtension
    static final TestApp service = new TestApp(FleetValidationTest.class,
            cfg -> cfg.withHttp(new ServiceConfig.Http(cfg.http().port(), cfg.http().adminToken(), MAX_BODY)));
    static Fleet fleet;
    static Fleet.Tenant t;
    static long node;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
        t = fleet.tenant();
        node = fleet.node(8, 16384, 100);
    }

    private static long auditTotal() {
        return service.admin().get("/api/v1/audit").json().get("total").asLong();
    }

    private static void assertInvalid(Http.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.errorCode()).as(r.toString()).isEqualTo("validation_failed");
        assertThat(r.json().path("error").path("details").path("field").asText()).as(r.toString()).isEqualTo(field);
    }

    private static Map<String, Object> vm(Object... overrides) {
        Map<String, Object> b = new HashMap<>(Fleet.vmBody(t, 1, 512, 5));
        for (int i = 0; i < overrides.length; i += 2) {
            b.put((String) overrides[i], overrides[i + 1]);
        }
        return b;
    }

    @Test
    void malformedJsonIsInvalidJson() {
        for (String body : new String[] {"{", "not json", "[1,2]", "null", "{\"name\": \"a\"} trailing", "{\"name\":\"a\",\"name\":\"b\"}"}) {
            Http.Response r = service.admin().post("/api/v1/orgs", body);
            assertThat(r.status()).as(body + " -> " + r).isEqualTo(400);
        }
        assertThat(service.admin().post("/api/v1/orgs", "{").errorCode()).isEqualTo("invalid_json");
        assertThat(t.http().post("/api/v1/vms", "").errorCode()).isEqualTo("invalid_json");
    }

    @Test
    void wrongTypesUnknownFieldsAndOutOfRangeValuesNameTheField() {
        long before = auditTotal();
        Http h = t.http();
        assertInvalid(h.post("/api/v1/vms", vm("cpu_cores", "2")), "cpu_cores");
        assertInvalid(h.post("/api/v1/vms", vm("cpu_cores", 2.5)), "cpu_cores");
        assertInvalid(h.post("/api/v1/vms", vm("cpu_cores", 0)), "cpu_cores");
        assertInvalid(h.post("/api/v1/vms", vm("cpu_cores", 257)), "cpu_cores");
        assertInvalid(h.post("/api/v1/vms", vm("memory_mb", 64)), "memory_mb");
        assertInvalid(h.post("/api/v1/vms", vm("disk_gb", 70000)), "disk_gb");
        assertInvalid(h.post("/api/v1/vms", vm("name", 7)), "name");
        assertInvalid(h.post("/api/v1/vms", vm("name", "")), "name");
        assertInvalid(h.post("/api/v1/vms", vm("colour", "red")), "colour");
        assertInvalid(h.post("/api/v1/vms", vm("owner_id", 99999)), "owner_id");
        assertInvalid(h.post("/api/v1/vms", vm("node_id", 99999)), "node_id");
        assertThat(h.post("/api/v1/vms", "{\"name\":\"a\",\"owner_id\":1,\"cpu_cores\":99999999999999999999999,\"memory_mb\":512,\"disk_gb\":5}")
                .status()).isEqualTo(400);
        assertInvalid(h.post("/api/v1/vms", vm("metadata", "x")), "metadata");
        assertInvalid(h.post("/api/v1/vms", vm("metadata", Map.of("tags", "env:prod"))), "metadata.tags");
        assertInvalid(h.post("/api/v1/vms", vm("metadata", Map.of("tags", List.of("ok", 3)))), "metadata.tags[1]");
        assertInvalid(h.post("/api/v1/vms", vm("metadata", Map.of("tags", List.of("x".repeat(129))))), "metadata.tags[0]");
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            tooMany.add("t" + i);
        }
        assertInvalid(h.post("/api/v1/vms", vm("metadata", Map.of("tags", tooMany))), "metadata.tags");
        assertInvalid(h.post("/api/v1/vms", vm("metadata", Map.of("blob", "x".repeat(17 * 1024)))), "metadata");
        assertInvalid(h.post("/api/v1/users", Map.of("email", "nope", "name", "n")), "email");
        assertInvalid(h.post("/api/v1/users", Map.of("email", "a@b.c", "name", "n", "role", "root")), "role");
        assertInvalid(h.post("/api/v1/orgs/" + t.orgId() + "/tokens", Map.of("name", "x", "role", "god")), "role");
        Http admin = service.admin();
        assertInvalid(admin.post("/api/v1/nodes", Map.of("name", "n", "zone", "z", "cpu_cores", 5000, "memory_mb", 1, "disk_gb", 1)), "cpu_cores");
        assertInvalid(admin.post("/api/v1/nodes", Map.of("name", "n", "zone", "z", "cpu_cores", 1, "memory_mb", 1, "disk_gb", 1, "state", "up")), "state");
        assertInvalid(admin.post("/api/v1/nodes", Map.of("name", "n", "cpu_cores", 1, "memory_mb", 1, "disk_gb", 1)), "zone");
        assertInvalid(admin.patch("/api/v1/nodes/" + node, Map.of("labels", List.of(1))), "labels");
        assertInvalid(h.post("/api/v1/vms/1/actions/start", Map.of("force", true)), "force");
        assertThat(auditTotal()).as("nothing was changed").isEqualTo(before);
    }

    @Test
    void unknownQueryKeysBadLimitsAndBadCursorsAre400() {
        Http h = t.http();
        assertInvalid(h.get("/api/v1/users?colour=red"), "colour");
        assertInvalid(h.get("/api/v1/audit?sort=ts"), "sort");
        assertInvalid(h.get("/api/v1/orgs?org_id=1"), "org_id");
        assertInvalid(h.get("/api/v1/nodes?zone=z"), "zone");
        assertInvalid(h.get("/api/v1/vms/1?x=1"), "x");
        assertInvalid(h.get("/api/v1/users?limit=0"), "limit");
        assertInvalid(h.get("/api/v1/users?limit=501"), "limit");
        assertInvalid(h.get("/api/v1/users?limit=ten"), "limit");
        assertInvalid(h.get("/api/v1/users?cursor=garbage"), "cursor");
        assertInvalid(h.get("/api/v1/audit?from=yesterday"), "from");
        assertInvalid(h.get("/api/v1/audit?target_type=planet"), "target_type");
        assertThat(h.get("/api/v1/users?limit=500").status()).isEqualTo(200);
    }

    @Test
    void anOversizedBodyIs413AndChangesNothing() {
        long before = auditTotal();
        Http.Response r = t.http().post("/api/v1/vms", vm("metadata", Map.of("blob", "x".repeat(MAX_BODY + 10))));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.errorCode()).isEqualTo("payload_too_large");
        assertThat(auditTotal()).isEqualTo(before);
    }

    @Test
    void nonNumericIdsAre404() {
        Http h = t.http();
        for (String path : new String[] {"/api/v1/vms/abc", "/api/v1/users/abc", "/api/v1/orgs/abc", "/api/v1/nodes/abc"}) {
            assertThat(h.get(path).status()).as(path).isEqualTo(404);
        }
        assertThat(h.delete("/api/v1/tokens/abc").status()).isEqualTo(404);
        assertThat(h.post("/api/v1/vms/abc/actions/start", null).status()).isEqualTo(404);
        assertThat(h.patch("/api/v1/vms/99999999999999999999", Map.of("name", "x")).status()).isEqualTo(404);
    }

    @Test
    void duplicatesAreConflicts() {
        String name = "Dup-" + System.nanoTime();
        assertThat(service.admin().post("/api/v1/orgs", Map.of("name", name)).status()).isEqualTo(201);
        Http.Response dup = service.admin().post("/api/v1/orgs", Map.of("name", name.toLowerCase()));
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.errorCode()).isEqualTo("conflict");
    }

    @Test
    void vmPatchAppliesMergePatchToMetadataAndChecksTheOwner() {
        long id = fleet.vm(t, 1, 512, 5, node).get("id").asLong();
        Http h = t.http();
        h.patch("/api/v1/vms/" + id, Map.of("metadata", Map.of("tags", List.of("a"), "team", "x", "nested", Map.of("k", 1, "j", 2))));
        Map<String, Object> patch = new HashMap<>();
        patch.put("team", null);
        patch.put("nested", Map.of("k", 5));
        JsonNode after = h.patch("/api/v1/vms/" + id, Map.of("metadata", patch)).json();
        assertThat(after.path("metadata").has("team")).isFalse();
        assertThat(after.path("metadata").path("tags").get(0).asText()).isEqualTo("a");
        assertThat(after.path("metadata").path("nested").path("k").asInt()).isEqualTo(5);
        assertThat(after.path("metadata").path("nested").path("j").asInt()).isEqualTo(2);
        long other = h.post("/api/v1/users", Map.of("email", "o" + System.nanoTime() + "@x.example", "name", "o")).json().get("id").asLong();
        assertThat(h.patch("/api/v1/vms/" + id, Map.of("owner_id", other)).json().get("owner_id").asLong()).isEqualTo(other);
        assertInvalid(h.patch("/api/v1/vms/" + id, Map.of("owner_id", 123456)), "owner_id");
        assertInvalid(h.patch("/api/v1/vms/" + id, Map.of("metadata", Map.of("tags", 1))), "metadata.tags");
        assertInvalid(h.patch("/api/v1/vms/" + id, Map.of("cpu_cores", 4)), "cpu_cores");
    }

    @Test
    void shrinkingANodeBelowItsAllocationIsRefused() {
        long n = fleet.node(4, 8192, 100);
        fleet.vm(t, 3, 1024, 10, n);
        Http.Response r = service.admin().patch("/api/v1/nodes/" + n, Map.of("cpu_cores", 2));
        assertThat(r.status()).isEqualTo(409);
        assertThat(fleet.node(n).get("cpu_cores").asInt()).isEqualTo(4);
        assertThat(service.admin().patch("/api/v1/nodes/" + n, Map.of("cpu_cores", 3, "labels", Map.of("rack", "r1"))).status()).isEqualTo(200);
    }
}
