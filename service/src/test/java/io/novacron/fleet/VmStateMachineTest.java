package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VmStateMachineTest {
    @RegisterExtension
    static final TestApp service = new TestApp(VmStateMachineTest.class);
    static Fleet fleet;
    static Fleet.Tenant t;

    @BeforeAll
    static void setUp() {
        fleet = new Fleet(service);
        t = fleet.tenant();
    }

    private Http.Response act(long vm, String action) {
        return t.http().post("/api/v1/vms/" + vm + "/actions/" + action, null);
    }

    private String state(Http.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("state").asText();
    }

    private long allocCpu(long node) {
        return fleet.node(node).path("allocated").path("cpu_cores").asLong();
    }

    @Test
    void aVmWalksEveryLegalTransitionAndItsNodeIsChargedOnlyWhileItHoldsResources() {
        long node = fleet.node(8, 16384, 100);
        long vm = fleet.vm(t, 2, 1024, 10, node).get("id").asLong();
        assertThat(allocCpu(node)).as("pending counts").isEqualTo(2);
        assertThat(state(act(vm, "start"))).isEqualTo("running");
        assertThat(state(act(vm, "reboot"))).isEqualTo("running");
        assertThat(state(act(vm, "pause"))).isEqualTo("paused");
        assertThat(allocCpu(node)).isEqualTo(2);
        assertThat(state(act(vm, "resume"))).isEqualTo("running");
        assertThat(state(act(vm, "stop"))).isEqualTo("stopped");
        assertThat(allocCpu(node)).as("stopped releases").isZero();
        assertThat(state(act(vm, "start"))).isEqualTo("running");
        assertThat(allocCpu(node)).as("start re-charges").isEqualTo(2);
        assertThat(state(act(vm, "pause"))).isEqualTo("paused");
        assertThat(state(act(vm, "stop"))).isEqualTo("stopped");
    }

    @Test
    void stopIsLegalFromPendingAndFromMigrating() {
        long a = fleet.node(8, 16384, 100);
        long b = fleet.node(8, 16384, 100);
        long vm = fleet.vm(t, 1, 512, 5, a).get("id").asLong();
        assertThat(state(act(vm, "stop"))).isEqualTo("stopped");
        act(vm, "start");
        Http.Response m = t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", b));
        assertThat(state(m)).isEqualTo("migrating");
        assertThat(state(act(vm, "stop"))).isEqualTo("stopped");
        assertThat(allocCpu(a)).isZero();
        assertThat(allocCpu(b)).isZero();
    }

    @Test
    void migratingARunningVmMovesItsCapacityAndStartOrResumeCompletesIt() {
        long a = fleet.node(8, 16384, 100);
        long b = fleet.node(8, 16384, 100);
        long vm = fleet.vm(t, 3, 2048, 20, a).get("id").asLong();
        act(vm, "start");
        JsonNode moved = t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", b)).json();
        assertThat(moved.get("state").asText()).isEqualTo("migrating");
        assertThat(moved.get("node_id").asLong()).isEqualTo(b);
        assertThat(allocCpu(a)).isZero();
        assertThat(allocCpu(b)).isEqualTo(3);
        assertThat(state(act(vm, "resume"))).isEqualTo("running");
        t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", a));
        assertThat(state(act(vm, "start"))).isEqualTo("running");
        assertThat(allocCpu(a)).isEqualTo(3);
        assertThat(allocCpu(b)).isZero();
    }

    @Test
    void migratingAStoppedVmKeepsItStoppedAndChargesNothing() {
        long a = fleet.node(8, 16384, 100);
        long b = fleet.node(8, 16384, 100);
        long vm = fleet.vm(t, 2, 1024, 10, a).get("id").asLong();
        act(vm, "stop");
        JsonNode moved = t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", b)).json();
        assertThat(moved.get("state").asText()).isEqualTo("stopped");
        assertThat(moved.get("node_id").asLong()).isEqualTo(b);
        assertThat(allocCpu(a)).isZero();
        assertThat(allocCpu(b)).isZero();
        long tiny = fleet.node(1, 16384, 100);
        Http.Response noRoom = t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", tiny));
        assertThat(noRoom.errorCode()).as("a stopped VM still needs room on its target").isEqualTo("insufficient_capacity");
        assertThat(state(act(vm, "start"))).isEqualTo("running");
        assertThat(allocCpu(b)).isEqualTo(2);
    }

    @Test
    void migrationNeedsAnOnlineTargetWithRoomOtherThanTheCurrentNode() {
        long a = fleet.node(8, 16384, 100);
        long small = fleet.node(1, 16384, 100);
        long offline = fleet.node(8, 16384, 100);
        service.admin().patch("/api/v1/nodes/" + offline, Map.of("state", "maintenance"));
        long vm = fleet.vm(t, 2, 1024, 10, a).get("id").asLong();
        act(vm, "start");
        String path = "/api/v1/vms/" + vm + "/actions/migrate";
        Http.Response full = t.http().post(path, Map.of("target_node_id", small));
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.errorCode()).isEqualTo("insufficient_capacity");
        Http.Response notOnline = t.http().post(path, Map.of("target_node_id", offline));
        assertThat(notOnline.status()).isEqualTo(409);
        assertThat(notOnline.errorCode()).isEqualTo("conflict");
        assertThat(t.http().post(path, Map.of("target_node_id", a)).status()).isEqualTo(400);
        assertThat(t.http().post(path, Map.of("target_node_id", 999999)).status()).isEqualTo(400);
        assertThat(t.http().post(path, Map.of()).json().path("error").path("details").path("field").asText()).isEqualTo("target_node_id");
        JsonNode after = t.http().get("/api/v1/vms/" + vm).json();
        assertThat(after.get("state").asText()).isEqualTo("running");
        assertThat(after.get("node_id").asLong()).isEqualTo(a);
        assertThat(allocCpu(a)).isEqualTo(2);
        assertThat(allocCpu(small)).isZero();
    }

    @Test
    void startingAStoppedVmWhoseNodeFilledUpIsRefusedAndLeavesItStopped() {
        long node = fleet.node(4, 16384, 100);
        long vm = fleet.vm(t, 3, 1024, 10, node).get("id").asLong();
        act(vm, "stop");
        fleet.vm(t, 2, 1024, 10, node);
        Http.Response r = act(vm, "start");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.errorCode()).isEqualTo("insufficient_capacity");
        assertThat(t.http().get("/api/v1/vms/" + vm).json().get("state").asText()).isEqualTo("stopped");
        assertThat(allocCpu(node)).isEqualTo(2);
    }

    @Test
    void illegalTransitionsAre409WithFromAndActionAndChangeNothing() {
        long node = fleet.node(8, 16384, 100);
        long vm = fleet.vm(t, 1, 512, 5, node).get("id").asLong();
        String[][] illegal = {{"pending", "pause"}, {"pending", "resume"}, {"pending", "reboot"}, {"pending", "migrate"}};
        for (String[] c : illegal) {
            Http.Response r = "migrate".equals(c[1])
                    ? t.http().post("/api/v1/vms/" + vm + "/actions/migrate", Map.of("target_node_id", node))
                    : act(vm, c[1]);
            assertThat(r.status()).as(c[1]).isEqualTo(409);
            assertThat(r.errorCode()).isEqualTo("invalid_state_transition");
            assertThat(r.json().path("error").path("details").path("from").asText()).isEqualTo(c[0]);
            assertThat(r.json().path("error").path("details").path("action").asText()).isEqualTo(c[1]);
        }
        act(vm, "start");
        assertThat(act(vm, "start").errorCode()).isEqualTo("invalid_state_transition");
        assertThat(act(vm, "resume").errorCode()).isEqualTo("invalid_state_transition");
        act(vm, "stop");
        assertThat(act(vm, "stop").errorCode()).isEqualTo("invalid_state_transition");
        assertThat(act(vm, "pause").errorCode()).isEqualTo("invalid_state_transition");
        assertThat(act(vm, "reboot").errorCode()).isEqualTo("invalid_state_transition");
        assertThat(t.http().get("/api/v1/vms/" + vm).json().get("state").asText()).isEqualTo("stopped");
    }

    @Test
    void anUnknownActionIs404() {
        long vm = fleet.vm(t, 1, 512, 5, fleet.node(2, 4096, 50)).get("id").asLong();
        Http.Response r = act(vm, "explode");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("not_found");
    }

    @Test
    void deletingAVmFreesItsNode() {
        long node = fleet.node(4, 8192, 50);
        long vm = fleet.vm(t, 4, 8192, 50, node).get("id").asLong();
        assertThat(allocCpu(node)).isEqualTo(4);
        assertThat(t.http().delete("/api/v1/vms/" + vm).status()).isEqualTo(204);
        assertThat(allocCpu(node)).isZero();
        assertThat(t.http().get("/api/v1/vms/" + vm).status()).isEqualTo(404);
    }
}
