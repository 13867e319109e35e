package io.novacron.bench;

import java.time.Instant;
import java.util.List;

/** The inventory rows the generator produces, shaped like the V1 tables they are loaded into. */
public final class Fleet {
    private Fleet() {
    }

    public record Org(long id, String name, Instant createdAt) {
    }

    public record User(long orgId, long id, String email, String name, String role, Instant createdAt) {
    }

    public record Node(long id, String name, String zone, int cpuCores, long memoryMb, long diskGb, String state,
                       String rack, Instant createdAt) {
    }

    /** {@code nodeId} is 0 for a VM placed on no node (only {@code error} VMs). */
    public record Vm(long orgId, long id, long ownerId, long nodeId, String name, String state, int cpuCores,
                     long memoryMb, long diskGb, List<String> tags, Instant createdAt, Instant updatedAt) {
    }

    /** The states whose resources count against the VM's node (see {@code vm_state_holds_resources} in V1). */
    public static boolean holdsResources(String state) {
        return switch (state) {
            case "pending", "running", "paused", "migrating" -> true;
            default -> false;
        };
    }

    /**
     * The first id each table's generated rows continue from, so that a dataset can be seeded into
     * a database that already holds rows (ids are {@code base + index + 1}).
     */
    public record IdBase(long org, long user, long node, long vm) {
        public static final IdBase ZERO = new IdBase(0, 0, 0, 0);
    }
}
