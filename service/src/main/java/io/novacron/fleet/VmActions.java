package io.novacron.fleet;

import io.novacron.db.Sql;
import static io.novacron.fleet.VmState.*;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.db.Tx;
import io.novacron.fleet.VmRepository.Vm;
import io.novacron.web.ApiException;
import io.novacron.web.Bodies;
import io.novacron.web.ErrorCode;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/vms/{id}/actions/{action}}: the VM state machine.
 * <pre>
 *   start   pending|migrating -> running; stopped|error -> running (re-charges its node, which must be online with room)
 *   stop    pending|running|paused|migrating|error -> stopped (releases the node's capacity)
 *   pause   running -> paused          resume  paused|migrating -> running
 *   reboot  running -> running         migrate running -> migrating, stopped -> stopped, on the target node
 * </pre>
 * Anything else is 409 invalid_state_transition; an unknown action is 404. The original NovaCron's
 * paths ({@code /api/v1/vms/{id}/start}, ..., {@code /restart} = reboot) run the same code. The VM row is locked
 * for the whole transition, so concurrent actions on one VM serialize.
 */
final class VmActions {
    record MigrateBody(Long targetNodeId) {
    }

    record NoBody() {
    }

    private static final String NODE_EXISTS = "SELECT 1 FROM node WHERE id = ?";
    private static final String NODE_HAS_ROOM = """
            SELECT 1 FROM node WHERE id = ? AND cpu_cores - alloc_cpu_cores >= ?
              AND memory_mb - alloc_memory_mb >= ? AND disk_gb - alloc_disk_gb >= ?""";

    static final Set<String> ACTIONS = Set.of("start", "stop", "pause", "resume", "reboot", "migrate");

    private final Tx tx;

    VmActions(Tx tx) {
        this.tx = tx;
    }

    /** The original NovaCron's action paths (API.md): aliases of /actions/{action}, restart being reboot. */
    static final Map<String, String> ALIASES = Map.of("start", "start", "stop", "stop", "restart", "reboot",
            "pause", "pause", "resume", "resume", "migrate", "migrate");

    void register(Javalin app) {
        app.post("/api/v1/vms/{id}/actions/{action}", ctx -> act(ctx, ctx.pathParam("action")));
        ALIASES.forEach((path, action) -> app.post("/api/v1/vms/{id}/" + path, ctx -> act(ctx, action)));
    }

    /** The state {@code action} leads to from {@code from}, or null when the transition is illegal. */
    static String next(String from, String action) {
        VmState to = next(VmState.of(from), action);
        return to == null ? null : to.wire();
    }

    static VmState next(VmState from, String action) {
        return switch (action) {
            case "start" -> from != RUNNING && from != PAUSED ? RUNNING : null;
            case "stop" -> from != STOPPED ? STOPPED : null;
            case "pause" -> from == RUNNING ? PAUSED : null;
            case "resume" -> from == PAUSED || from == MIGRATING ? RUNNING : null;
            case "reboot" -> from == RUNNING ? RUNNING : null;
            case "migrate" -> from == RUNNING ? MIGRATING : from == STOPPED ? STOPPED : null;
            default -> null;
        };
    }

    private void act(Context ctx, String action) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "vm");
        if (!ACTIONS.contains(action)) {
            throw new ApiException(ErrorCode.NOT_FOUND, "unknown action '" + action + "'",
                    Map.of("action", action, "allowed", ACTIONS));
        }
        Long target = null;
        if ("migrate".equals(action)) {
            target = Bodies.read(ctx, MigrateBody.class).targetNodeId();
            if (target == null) {
                throw ApiException.invalid("target_node_id", "'target_node_id' is required to migrate");
            }
        } else if (ctx.bodyAsBytes().length > 0) {
            Bodies.read(ctx, NoBody.class); // only {} is accepted
        }
        Long targetNode = target;
        Vm result = tx.inTransaction(c -> {
            Vm vm = VmRepository.find(c, id, scope, true);
            p.requireWriter();
            String to = next(vm.state(), action);
            if (to == null) {
                throw new ApiException(ErrorCode.INVALID_STATE_TRANSITION,
                        "cannot " + action + " a VM that is " + vm.state(), Map.of("from", vm.state(), "action", action));
            }
            Vm after = "migrate".equals(action) ? migrate(c, vm, to, targetNode) : transition(c, vm, to);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("from", vm.state());
            d.put("to", after.state());
            if ("migrate".equals(action)) {
                d.put("from_node_id", vm.nodeId());
                d.put("to_node_id", after.nodeId());
            }
            Audit.record(c, vm.orgId(), p, "vm." + action, "vm", id, d);
            return after;
        });
        ctx.json(result);
    }

    private static Vm transition(Connection c, Vm vm, String to) throws SQLException {
        boolean recharges = !VmState.of(vm.state()).holdsResources() && VmState.of(to).holdsResources();
        if (!recharges) {
            return VmRepository.move(c, vm, to, vm.nodeId()); // trigger releases on stop, no-op otherwise
        }
        if (vm.nodeId() == null) {
            throw ApiException.conflict("VM " + vm.id() + " has no node to start on; migrate it to a node first");
        }
        return Placement.onNode(c, vm.nodeId(), vm.size(), "node_id", node -> VmRepository.move(c, vm, to, node));
    }

    /**
     * Moves the VM to the target in one statement: the trigger releases the old node and charges
     * the new one, so capacity moves atomically. A stopped VM holds no capacity, so its target's
     * room is checked here (advisory: it is charged again, under the CHECKs, when it starts).
     */
    private static Vm migrate(Connection c, Vm vm, String to, long target) throws SQLException {
        if (vm.nodeId() != null && vm.nodeId() == target) {
            throw ApiException.invalid("target_node_id", "the VM is already on node " + target);
        }
        if ("stopped".equals(to) && Sql.exists(c, NODE_EXISTS, target)
                && !Sql.exists(c, NODE_HAS_ROOM, target, vm.cpuCores(), vm.memoryMb(), vm.diskGb())) {
            throw Placement.noRoom(vm.size(), target);
        }
        return Placement.onNode(c, target, vm.size(), "target_node_id", node -> VmRepository.move(c, vm, to, node));
    }
}
