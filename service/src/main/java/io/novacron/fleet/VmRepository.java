package io.novacron.fleet;

import io.novacron.db.Sql;
import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/** The SQL of the vm table. Node allocation follows every statement here through the vm_node_allocation trigger. */
final class VmRepository {
    record Vm(long id, long orgId, long ownerId, Long nodeId, String name, String state, int cpuCores, long memoryMb,
              long diskGb, JsonNode metadata, Instant createdAt, Instant updatedAt) {
        Placement.Size size() {
            return new Placement.Size(cpuCores, memoryMb, diskGb);
        }
    }

    static final String COLUMNS = """
            org_id, id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata::text AS metadata,
            created_at, updated_at""";
    private static final String INSERT = """
            INSERT INTO vm (org_id, owner_id, node_id, name, cpu_cores, memory_mb, disk_gb, metadata)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)""" + " RETURNING " + COLUMNS;
    // vm_id_idx (id); the org filter makes a foreign VM a 404.
    private static final String GET = "SELECT " + COLUMNS + " FROM vm WHERE id = ? AND (?::bigint IS NULL OR org_id = ?)";
    private static final String MOVE = """
            UPDATE vm SET state = ?, node_id = ?, updated_at = now() WHERE org_id = ? AND id = ?""" + " RETURNING " + COLUMNS;
    private static final String UPDATE = """
            UPDATE vm SET name = ?, owner_id = ?, metadata = ?::jsonb, updated_at = now()
            WHERE org_id = ? AND id = ?""" + " RETURNING " + COLUMNS;
    private static final String DELETE = "DELETE FROM vm WHERE org_id = ? AND id = ?";
    // PK app_user (org_id, id)
    private static final String OWNER_EXISTS = "SELECT 1 FROM app_user WHERE org_id = ? AND id = ?";

    private VmRepository() {
    }

    static Vm insert(Connection c, long orgId, long ownerId, long nodeId, String name, Placement.Size s, JsonNode metadata)
            throws SQLException {
        return one(c, INSERT, orgId, ownerId, nodeId, name, (int) s.cpuCores(), s.memoryMb(), s.diskGb(), metadata);
    }

    /** The VM, optionally locked; 404 when it does not exist or belongs to another organization. */
    static Vm find(Connection c, long id, Long orgScope, boolean forUpdate) throws SQLException {
        Vm vm = one(c, forUpdate ? GET + " FOR UPDATE" : GET, id, orgScope, orgScope);
        if (vm == null) {
            throw ApiException.notFound("vm", id);
        }
        return vm;
    }

    static Vm move(Connection c, Vm vm, String state, Long nodeId) throws SQLException {
        return one(c, MOVE, state, nodeId, vm.orgId(), vm.id());
    }

    static Vm update(Connection c, Vm vm, String name, long ownerId, JsonNode metadata) throws SQLException {
        return one(c, UPDATE, name, ownerId, metadata, vm.orgId(), vm.id());
    }

    static void delete(Connection c, Vm vm) throws SQLException {
        Sql.update(c, DELETE, vm.orgId(), vm.id());
    }

    static void requireOwner(Connection c, long orgId, Long ownerId) throws SQLException {
        if (ownerId == null) {
            throw ApiException.invalid("owner_id", "'owner_id' is required");
        }
        if (!Sql.exists(c, OWNER_EXISTS, orgId, ownerId)) {
            throw ApiException.invalid("owner_id", "user " + ownerId + " is not a user of this organization");
        }
    }

    private static Vm one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? vm(rs) : null;
        }
    }

    private static Vm vm(ResultSet rs) throws SQLException {
        return new Vm(rs.getLong("id"), rs.getLong("org_id"), rs.getLong("owner_id"), Sql.optLong(rs, "node_id"),
                rs.getString("name"), rs.getString("state"), rs.getInt("cpu_cores"), rs.getLong("memory_mb"),
                rs.getLong("disk_gb"), Sql.json(rs, "metadata"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
