package io.novacron.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.db.Tx;
import io.novacron.fleet.VmRepository.Vm;
import io.novacron.web.ApiException;
import io.novacron.web.Bodies;
import io.novacron.web.Json;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** VM create (with placement), read, patch and delete. Listing belongs to the reads area; actions to {@link VmActions}. */
public final class VmRoutes {
    record NewVm(String name, Long ownerId, Long cpuCores, Long memoryMb, Long diskGb, Long nodeId, JsonNode metadata) {
    }

    record VmPatch(String name, Long ownerId, JsonNode metadata) {
    }

    private final Tx tx;

    public VmRoutes(Tx tx) {
        this.tx = tx;
    }

    public void register(Javalin app) {
        app.post("/api/v1/vms", this::create);
        app.get("/api/v1/vms/{id}", this::get);
        app.patch("/api/v1/vms/{id}", this::patch);
        app.delete("/api/v1/vms/{id}", this::delete);
        new VmActions(tx).register(app);
    }

    private void create(Context ctx) {
        Principal p = Principal.of(ctx);
        long orgId = p.orgScope(Params.of(ctx, Set.of("org_id")));
        p.requireWriter();
        NewVm b = Bodies.read(ctx, NewVm.class);
        String name = Fields.requireText("name", b.name(), 200);
        if (b.ownerId() == null) {
            throw ApiException.invalid("owner_id", "'owner_id' is required");
        }
        Fields.requireRange("cpu_cores", b.cpuCores(), 1, 256);
        Fields.requireRange("memory_mb", b.memoryMb(), 128, 4_194_304);
        Fields.requireRange("disk_gb", b.diskGb(), 1, 65_536);
        JsonNode metadata = Metadata.validate(b.metadata() == null ? Json.MAPPER.createObjectNode() : b.metadata());
        Placement.Size size = new Placement.Size(b.cpuCores(), b.memoryMb(), b.diskGb());
        Vm vm = tx.inTransaction(c -> {
            VmRepository.requireOwner(c, orgId, b.ownerId());
            Placement.Charge<Vm> insert = node -> VmRepository.insert(c, orgId, b.ownerId(), node, name, size, metadata);
            Vm created = b.nodeId() == null ? Placement.bestFit(c, size, insert)
                    : Placement.onNode(c, b.nodeId(), size, "node_id", insert);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("owner_id", created.ownerId());
            d.put("node_id", created.nodeId());
            d.put("cpu_cores", created.cpuCores());
            d.put("memory_mb", created.memoryMb());
            d.put("disk_gb", created.diskGb());
            d.put("state", created.state());
            Audit.record(c, orgId, p, "vm.create", "vm", created.id(), d);
            return created;
        });
        ctx.status(201).json(vm);
    }

    private void get(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "vm");
        ctx.json(tx.read(c -> VmRepository.find(c, id, scope, false)));
    }

    private void patch(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "vm");
        VmPatch b = Bodies.readPatch(ctx, VmPatch.class);
        if (b.name() != null) {
            Fields.requireText("name", b.name(), 200);
        }
        if (b.metadata() != null && !b.metadata().isObject()) {
            throw ApiException.invalid("metadata", "'metadata' must be a JSON object (a merge-patch of the current metadata)");
        }
        Vm updated = tx.inTransaction(c -> {
            Vm vm = VmRepository.find(c, id, scope, true);
            p.requireWriter();
            Map<String, Object> changed = new LinkedHashMap<>();
            String name = vm.name();
            if (b.name() != null && !b.name().equals(name)) {
                name = b.name();
                changed.put("name", name);
            }
            long owner = vm.ownerId();
            if (b.ownerId() != null && b.ownerId() != owner) {
                VmRepository.requireOwner(c, vm.orgId(), b.ownerId());
                owner = b.ownerId();
                changed.put("owner_id", owner);
            }
            JsonNode metadata = vm.metadata();
            if (b.metadata() != null) {
                JsonNode merged = Metadata.validate(Metadata.mergePatch(metadata, b.metadata()));
                if (!merged.equals(metadata)) {
                    metadata = merged;
                    changed.put("metadata", b.metadata());
                }
            }
            if (changed.isEmpty()) {
                return vm;
            }
            Vm n = VmRepository.update(c, vm, name, owner, metadata);
            Audit.record(c, vm.orgId(), p, "vm.update", "vm", id, changed);
            return n;
        });
        ctx.json(updated);
    }

    private void delete(Context ctx) {
        Principal p = Principal.of(ctx);
        Long scope = Fields.scopeForId(p, Params.of(ctx, Set.of("org_id")));
        long id = Params.pathId(ctx, "id", "vm");
        tx.inTransaction(c -> {
            Vm vm = VmRepository.find(c, id, scope, true);
            p.requireWriter();
            VmRepository.delete(c, vm); // the trigger releases the node's capacity
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", vm.name());
            d.put("node_id", vm.nodeId());
            d.put("state", vm.state());
            Audit.record(c, vm.orgId(), p, "vm.delete", "vm", id, d);
            return null;
        });
        ctx.status(204);
    }
}
