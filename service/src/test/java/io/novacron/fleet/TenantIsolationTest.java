package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Org B's token against org A's objects, on every fleet route: 404 (or 403 for admin-only actions), and nothing changes. */
class TenantIsolationTest {
    @RegisterExtension
    static final TestApp service = new TestApp(TenantIsolationTest.class);
    static Fleet fleet;
    static Fleet.Tenant a;
    static Fleet.Tenant b;
    static long nodeOfA;
    static long vmOfA;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
        a = fleet.tenant();
        b = fleet.tenant();
        nodeOfA = fleet.node(8, 16384, 100);
        vmOfA = fleet.vm(a, 2, 1024, 10, nodeOfA).get("id").asLong();
    }

    private static void assertNotFound(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("not_found");
    }

    private static long auditRowsOfA() {
        return service.admin().get("/api/v1/audit?org_id=" + a.orgId()).json().get("total").asLong();
    }

    @Test
    void orgBSeesNoneOfOrgAsObjectsAndChangesNothing() {
        Http hb = b.http();
        long auditBefore = auditRowsOfA();
        JsonNode vmBefore = a.http().get("/api/v1/vms/" + vmOfA).json();
        JsonNode userBefore = a.http().get("/api/v1/users/" + a.userId()).json();

        assertNotFound(hb.get("/api/v1/orgs/" + a.orgId()));
        assertThat(hb.get("/api/v1/orgs").json().path("items")).hasSize(1)
                .allSatisfy(o -> assertThat(o.get("id").asLong()).isEqualTo(b.orgId()));
        assertNotFound(hb.post("/api/v1/orgs/" + a.orgId() + "/tokens", Map.of("name", "steal")));
        assertNotFound(hb.delete("/api/v1/tokens/" + a.tokenId()));

        assertNotFound(hb.get("/api/v1/users/" + a.userId()));
        assertNotFound(hb.patch("/api/v1/users/" + a.userId(), Map.of("name", "pwned")));
        assertNotFound(hb.delete("/api/v1/users/" + a.userId()));
        assertNotFound(hb.get("/api/v1/users?org_id=" + a.orgId()));
        assertNotFound(hb.post("/api/v1/users?org_id=" + a.orgId(), Map.of("email", "x@y.z", "name", "x")));
        assertThat(hb.get("/api/v1/users").json().path("items"))
                .allSatisfy(u -> assertThat(u.get("org_id").asLong()).isEqualTo(b.orgId()));

        assertNotFound(hb.get("/api/v1/vms/" + vmOfA));
        assertNotFound(hb.patch("/api/v1/vms/" + vmOfA, Map.of("name", "pwned")));
        assertNotFound(hb.delete("/api/v1/vms/" + vmOfA));
        for (String action : new String[] {"start", "stop", "pause", "resume", "reboot"}) {
            assertNotFound(hb.post("/api/v1/vms/" + vmOfA + "/actions/" + action, null));
        }
        assertNotFound(hb.post("/api/v1/vms/" + vmOfA + "/actions/migrate", Map.of("target_node_id", nodeOfA)));
        assertNotFound(hb.post("/api/v1/vms?org_id=" + a.orgId(), Fleet.vmBody(a, 1, 512, 5)));
        Http.Response foreignOwner = hb.post("/api/v1/vms", Fleet.vmBody(a, 1, 512, 5));
        assertThat(foreignOwner.status()).isEqualTo(400);
        assertThat(foreignOwner.json().path("error").path("details").path("field").asText()).isEqualTo("owner_id");

        assertNotFound(hb.get("/api/v1/nodes/" + nodeOfA));
        assertThat(hb.get("/api/v1/nodes").json().path("items")).isEmpty();
        assertNotFound(hb.patch("/api/v1/nodes/" + nodeOfA, Map.of("state", "offline")));

        assertNotFound(hb.get("/api/v1/audit?org_id=" + a.orgId()));
        assertThat(hb.get("/api/v1/audit?limit=500").json().path("items"))
                .allSatisfy(r -> assertThat(r.get("org_id").asLong()).isEqualTo(b.orgId()));

        assertThat(a.http().get("/api/v1/vms/" + vmOfA).json()).isEqualTo(vmBefore);
        assertThat(a.http().get("/api/v1/users/" + a.userId()).json()).isEqualTo(userBefore);
        assertThat(a.http().get("/api/v1/orgs/" + a.orgId()).status()).as("A's token still works").isEqualTo(200);
        assertThat(auditRowsOfA()).isEqualTo(auditBefore);
    }

    @Test
    void orgTokensAreRefusedPlatformAdminActions() {
        Http ha = a.http();
        Http.Response org = ha.post("/api/v1/orgs", Map.of("name", "sneaky"));
        assertThat(org.status()).isEqualTo(403);
        assertThat(org.errorCode()).isEqualTo("forbidden");
        assertThat(ha.post("/api/v1/nodes", Map.of("name", "n", "zone", "z", "cpu_cores", 1, "memory_mb", 1, "disk_gb", 1)).status())
                .isEqualTo(403);
        Http.Response patch = ha.patch("/api/v1/nodes/" + nodeOfA, Map.of("state", "offline"));
        assertThat(patch.status()).as("A sees the node hosting its VM but may not change it").isEqualTo(403);
        assertThat(fleet.node(nodeOfA).get("state").asText()).isEqualTo("online");
        assertThat(service.admin().get("/api/v1/orgs").json().get("total").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void anOrgTokenSeesTheNodesHostingItsVmsWithoutCapacity() {
        JsonNode n = a.http().get("/api/v1/nodes/" + nodeOfA).json();
        assertThat(n.get("id").asLong()).isEqualTo(nodeOfA);
        assertThat(n.has("cpu_cores")).isFalse();
        assertThat(n.has("allocated")).isFalse();
        assertThat(a.http().get("/api/v1/nodes").json().path("items")).hasSize(1);
        assertThat(fleet.node(nodeOfA).has("cpu_cores")).as("the admin sees capacity").isTrue();
    }

    @Test
    void viewerTokensReadButCannotChangeAnything() {
        String viewer = a.http().post("/api/v1/orgs/" + a.orgId() + "/tokens", Map.of("name", "v", "role", "viewer"))
                .json().get("token").asText();
        Http hv = service.as(viewer);
        assertThat(hv.get("/api/v1/vms/" + vmOfA).status()).isEqualTo(200);
        assertThat(hv.patch("/api/v1/vms/" + vmOfA, Map.of("name", "x")).status()).isEqualTo(403);
        assertThat(hv.post("/api/v1/vms/" + vmOfA + "/actions/start", null).status()).isEqualTo(403);
        assertThat(hv.delete("/api/v1/vms/" + vmOfA).status()).isEqualTo(403);
        assertThat(hv.post("/api/v1/vms", Fleet.vmBody(a, 1, 512, 5)).status()).isEqualTo(403);
        assertThat(hv.post("/api/v1/users", Map.of("email", "v@x.y", "name", "v")).status()).isEqualTo(403);
        assertThat(hv.post("/api/v1/orgs/" + a.orgId() + "/tokens", Map.of("name", "up", "role", "admin")).status()).isEqualTo(403);
        assertThat(a.http().get("/api/v1/vms/" + vmOfA).json().get("name").asText()).doesNotContain("x");
    }

    @Test
    void theAdminActsOnAnyOrganizationByNamingIt() {
        Http admin = service.admin();
        assertThat(admin.get("/api/v1/users").status()).as("org_id is required for the admin").isEqualTo(400);
        assertThat(admin.get("/api/v1/users?org_id=" + a.orgId()).json().get("total").asLong()).isEqualTo(1);
        assertThat(admin.get("/api/v1/vms/" + vmOfA).status()).isEqualTo(200);
        assertThat(admin.get("/api/v1/vms/" + vmOfA + "?org_id=" + b.orgId()).status()).isEqualTo(404);
        Http.Response vm = admin.post("/api/v1/vms?org_id=" + a.orgId(), Fleet.vmBody(a, 1, 512, 5));
        assertThat(vm.status()).isEqualTo(201);
        assertThat(vm.json().get("org_id").asLong()).isEqualTo(a.orgId());
    }
}
