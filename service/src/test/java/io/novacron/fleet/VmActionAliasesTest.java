package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The original NovaCron's action paths are the same transitions, audit entries and errors as /actions/{action}. */
class VmActionAliasesTest {
    @RegisterExtension
    static final TestApp service = new TestApp(VmActionAliasesTest.class);
    static Fleet fleet;
    static Fleet.Tenant t;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
        t = fleet.tenant();
    }

    private Http.Response alias(long vm, String path) {
        return t.http().post("/api/v1/vms/" + vm + "/" + path, null);
    }

    private static String state(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("state").asText();
    }

    private List<String> auditActions(long vm) {
        List<String> actions = new ArrayList<>();
        for (JsonNode e : t.http().get("/api/v1/audit?target_type=vm&limit=500").json().get("items")) {
            if (e.path("target_id").asLong() == vm) {
                actions.add(e.path("action").asText());
            }
        }
        return actions;
    }

    @Test
    void everyOriginalPathRunsItsTransitionAndIsAuditedAsTheAction() {
        long a = fleet.node(16, 65536, 1000);
        long b = fleet.node(16, 65536, 1000);
        long vm = fleet.vm(t, 2, 2048, 20, a).get("id").asLong();
        assertThat(state(alias(vm, "start"))).isEqualTo("running");
        assertThat(state(alias(vm, "restart"))).isEqualTo("running");
        assertThat(state(alias(vm, "pause"))).isEqualTo("paused");
        assertThat(state(alias(vm, "resume"))).isEqualTo("running");
        Http.Response moved = t.http().post("/api/v1/vms/" + vm + "/migrate", Map.of("target_node_id", b));
        assertThat(state(moved)).isEqualTo("migrating");
        assertThat(moved.json().get("node_id").asLong()).isEqualTo(b);
        assertThat(state(alias(vm, "resume"))).isEqualTo("running");
        assertThat(state(alias(vm, "stop"))).isEqualTo("stopped");
        assertThat(fleet.node(b).path("allocated").path("cpu_cores").asLong()).isZero();
        // restart is recorded as what it is, a reboot; newest first
        assertThat(auditActions(vm)).containsSubsequence("vm.stop", "vm.resume", "vm.migrate", "vm.resume", "vm.pause",
                "vm.reboot", "vm.start", "vm.create");
    }

    @Test
    void theSameRulesAndErrorsApply() {
        long node = fleet.node(16, 65536, 1000);
        long vm = fleet.vm(t, 1, 1024, 10, node).get("id").asLong();
        Http.Response illegal = alias(vm, "resume"); // pending cannot resume
        assertThat(illegal.status()).isEqualTo(409);
        assertThat(illegal.errorCode()).isEqualTo("invalid_state_transition");
        assertThat(illegal.json().path("error").path("details").path("action").asText()).isEqualTo("resume");
        Http.Response restartPending = alias(vm, "restart");
        assertThat(restartPending.status()).isEqualTo(409);
        assertThat(restartPending.json().path("error").path("details").path("action").asText()).isEqualTo("reboot");

        Http.Response noTarget = t.http().post("/api/v1/vms/" + vm + "/migrate", Map.of());
        assertThat(noTarget.status()).isEqualTo(400);
        assertThat(noTarget.json().path("error").path("details").path("field").asText()).isEqualTo("target_node_id");
        assertThat(alias(vm, "migrate").status()).isEqualTo(400); // no body at all, as on /actions/migrate
        Http.Response body = t.http().post("/api/v1/vms/" + vm + "/start", Map.of("force", true));
        assertThat(body.status()).isEqualTo(400);

        Fleet.Tenant other = fleet.tenant();
        Http.Response foreign = other.http().post("/api/v1/vms/" + vm + "/stop", null);
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.errorCode()).isEqualTo("not_found");
        assertThat(service.anonymous().post("/api/v1/vms/" + vm + "/stop", null).status()).isEqualTo(401);
        assertThat(alias(Long.MAX_VALUE, "stop").status()).isEqualTo(404);
        assertThat(state(alias(vm, "stop"))).isEqualTo("stopped");
    }
}
