package io.novacron.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.db.Tx;
import io.novacron.web.ApiException;
import io.novacron.web.Bodies;
import io.novacron.web.Cursor;
import io.novacron.web.Json;
import io.novacron.web.Page;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hypervisor nodes: platform-wide, managed by the admin. An org token sees only the nodes that
 * host its VMs, without capacity figures (they would reveal other tenants' load).
 */
public final class NodeRoutes {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Node(long id, String name, String zone, Integer cpuCores, Long memoryMb, Long diskGb, String state,
                JsonNode labels, Allocated allocated, Integer vmCount, Instant createdAt, Instant updatedAt) {
        Node withoutCapacity() {
            return new Node(id, name, zone, null, null, null, state, labels, null, null, createdAt, updatedAt);
        }
    }

    record Allocated(int cpuCores, long memoryMb, long diskGb) {
    }

    record NewNode(String name, String zone, Long cpuCores, Long memoryMb, Long diskGb, String state, JsonNode labels) {
    }

    private static final long MIN_SIZE = 1;

    private final Tx tx;

    public NodeRoutes(Tx tx) {
        this.tx = tx;
    }

    public void register(Javalin app) {
        app.post("/api/v1/nodes", this::create);
        app.get("/api/v1/nodes", this::list);
        app.get("/api/v1/nodes/{id}", this::get);
        app.patch("/api/v1/nodes/{id}", this::patch);
    }

    private void create(Context ctx) {
        Principal p = Principal.of(ctx).requireAdmin();
        Params.of(ctx, Set.of());
        NewNode b = Bodies.read(ctx, NewNode.class);
        String name = Fields.requireText("name", b.name(), 200);
        String zone = Fields.requireText("zone", b.zone(), 100);
        sizes(b.cpuCores(), b.memoryMb(), b.diskGb());
        String state = b.state() == null ? "online" : state(b.state());
        JsonNode labels = labels(b.labels() == null ? Json.MAPPER.createObjectNode() : b.labels());
        Node node = tx.inTransaction(c -> {
            Node n;
            try {
                n = NodeRepository.insert(c, name, zone, b.cpuCores().intValue(), b.memoryMb(), b.diskGb(), state, labels);
            } catch (SQLException e) {
                throw OrgRoutes.uniqueOr(e, "a node named '" + name + "' already exists", "name");
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("zone", zone);
            d.put("cpu_cores", b.cpuCores());
            d.put("memory_mb", b.memoryMb());
            d.put("disk_gb", b.diskGb());
            d.put("state", state);
            d.put("labels", labels);
            Audit.record(c, Audit.PLATFORM, p, "node.create", "node", n.id(), d);
            return n;
        });
        ctx.status(201).json(node);
    }

    private void list(Context ctx) {
        Principal p = Principal.of(ctx);
        Params params = Params.of(ctx, Set.of("limit", "cursor"));
        int limit = params.limit();
        List<Object> after = Cursor.decode(params.optString("cursor"), "id", 1);
        long afterId = after == null ? 0 : Cursor.longAt(after, 0);
        Long org = p.orgId();
        ctx.json(tx.read(c -> {
            List<Node> items = NodeRepository.page(c, afterId, org, limit + 1).stream()
                    .map(n -> p.isAdmin() ? n : n.withoutCapacity()).toList();
            String next = Cursor.next(items, limit, "id", x -> List.of(x.id()));
            return new Page<>(items, next, NodeRepository.count(c, org), false);
        }));
    }

    private void get(Context ctx) {
        Principal p = Principal.of(ctx);
        Params.of(ctx, Set.of());
        long id = Params.pathId(ctx, "id", "node");
        Node n = tx.read(c -> NodeRepository.find(c, id, p.orgId(), false));
        ctx.json(p.isAdmin() ? n : n.withoutCapacity());
    }

    private void patch(Context ctx) {
        Principal p = Principal.of(ctx);
        Params.of(ctx, Set.of());
        long id = Params.pathId(ctx, "id", "node");
        if (!p.isAdmin()) {
            tx.read(c -> NodeRepository.find(c, id, p.orgId(), false)); // a node it cannot see stays a 404
            p.requireAdmin();
        }
        NewNode b = Bodies.readPatch(ctx, NewNode.class);
        sizes(b.cpuCores() == null ? MIN_SIZE : b.cpuCores(), b.memoryMb() == null ? MIN_SIZE : b.memoryMb(),
                b.diskGb() == null ? MIN_SIZE : b.diskGb()); // only the sizes given are checked
        Node updated = tx.inTransaction(c -> {
            Node n = NodeRepository.find(c, id, null, true);
            Map<String, Object> changed = new LinkedHashMap<>();
            String name = pick(changed, "name", n.name(), b.name() == null ? null : Fields.requireText("name", b.name(), 200));
            String zone = pick(changed, "zone", n.zone(), b.zone() == null ? null : Fields.requireText("zone", b.zone(), 100));
            String state = pick(changed, "state", n.state(), b.state() == null ? null : state(b.state()));
            JsonNode labels = pick(changed, "labels", n.labels(), b.labels() == null ? null : labels(b.labels()));
            Long cpu = pick(changed, "cpu_cores", n.cpuCores().longValue(), b.cpuCores());
            Long mem = pick(changed, "memory_mb", n.memoryMb(), b.memoryMb());
            Long disk = pick(changed, "disk_gb", n.diskGb(), b.diskGb());
            if (changed.isEmpty()) {
                return n;
            }
            // Shrinking below the allocation fails on node_*_not_overcommitted: 409 insufficient_capacity.
            Node u;
            try {
                u = NodeRepository.update(c, id, name, zone, cpu.intValue(), mem, disk, state, labels);
            } catch (SQLException e) {
                throw OrgRoutes.uniqueOr(e, "a node named '" + name + "' already exists", "name");
            }
            Audit.record(c, Audit.PLATFORM, p, "node.update", "node", id, changed);
            return u;
        });
        ctx.json(updated);
    }

    private static <T> T pick(Map<String, Object> changed, String field, T current, T requested) {
        if (requested == null || requested.equals(current)) {
            return current;
        }
        changed.put(field, requested);
        return requested;
    }

    private static void sizes(Long cpu, Long mem, Long disk) {
        Fields.requireRange("cpu_cores", cpu, 1, 4096);
        Fields.requireRange("memory_mb", mem, 1, 1_073_741_824L);
        Fields.requireRange("disk_gb", disk, 1, 1_073_741_824L);
    }

    private static String state(String s) {
        if (!"online".equals(s) && !"maintenance".equals(s) && !"offline".equals(s)) {
            throw ApiException.invalid("state", "'state' must be one of online, maintenance, offline");
        }
        return s;
    }

    /** Labels: a flat object of string values, at most 64 of them. */
    private static JsonNode labels(JsonNode labels) {
        if (!(labels instanceof ObjectNode o) || o.size() > 64) {
            throw ApiException.invalid("labels", "'labels' must be an object of at most 64 string values");
        }
        o.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual() || e.getKey().length() > 128 || e.getValue().asText().length() > 256) {
                throw ApiException.invalid("labels." + e.getKey(), "label values must be strings (keys ≤ 128, values ≤ 256 characters)");
            }
        });
        return o;
    }
}
