package io.novacron.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.db.Sql;
import io.novacron.fleet.NodeRoutes.Allocated;
import io.novacron.fleet.NodeRoutes.Node;
import io.novacron.web.ApiException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the node table (platform-wide). {@code org}, where a method takes one, narrows to the
 * nodes hosting that organization's VMs; null means every node (the admin).
 */
final class NodeRepository {
    private static final String COLUMNS = """
            id, name, zone, cpu_cores, memory_mb, disk_gb, state, labels::text AS labels,
            alloc_cpu_cores, alloc_memory_mb, alloc_disk_gb, vm_count, created_at, updated_at""";
    private static final String INSERT = "INSERT INTO node (name, zone, cpu_cores, memory_mb, disk_gb, state, labels) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING " + COLUMNS;
    // PK node (id); for an org token, vm_org_node_idx (org_id, node_id) finds the nodes hosting its VMs.
    private static final String LIST = "SELECT " + COLUMNS + """
             FROM node
            WHERE id > ? AND (?::bigint IS NULL OR id IN (SELECT node_id FROM vm WHERE org_id = ?))
            ORDER BY id LIMIT ?""";
    private static final String COUNT = """
            SELECT count(*) FROM node WHERE ?::bigint IS NULL OR id IN (SELECT node_id FROM vm WHERE org_id = ?)""";
    private static final String GET = "SELECT " + COLUMNS + """
             FROM node
            WHERE id = ? AND (?::bigint IS NULL OR EXISTS (SELECT 1 FROM vm WHERE org_id = ? AND node_id = node.id))""";
    private static final String UPDATE = """
            UPDATE node SET name = ?, zone = ?, cpu_cores = ?, memory_mb = ?, disk_gb = ?, state = ?, labels = ?::jsonb,
                            updated_at = now()
            WHERE id = ?""" + " RETURNING " + COLUMNS;

    private NodeRepository() {
    }

    /** The new node; a taken name is the unique violation, left to the caller. */
    static Node insert(Connection c, String name, String zone, int cpuCores, long memoryMb, long diskGb, String state,
                       JsonNode labels) throws SQLException {
        return one(c, INSERT, name, zone, cpuCores, memoryMb, diskGb, state, labels);
    }

    static List<Node> page(Connection c, long afterId, Long org, int limit) throws SQLException {
        List<Node> items = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, LIST, afterId, org, org, limit); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                items.add(node(rs));
            }
        }
        return items;
    }

    static long count(Connection c, Long org) throws SQLException {
        return Sql.count(c, COUNT, org, org);
    }

    /** The node as {@code org} may see it, optionally locked; else a 404. */
    static Node find(Connection c, long id, Long org, boolean forUpdate) throws SQLException {
        Node n = one(c, forUpdate ? GET + " FOR UPDATE" : GET, id, org, org);
        if (n == null) {
            throw ApiException.notFound("node", id);
        }
        return n;
    }

    /** Shrinking below the allocation fails on node_*_not_overcommitted (a CHECK violation, left to the caller). */
    static Node update(Connection c, long id, String name, String zone, int cpuCores, long memoryMb, long diskGb,
                       String state, JsonNode labels) throws SQLException {
        return one(c, UPDATE, name, zone, cpuCores, memoryMb, diskGb, state, labels, id);
    }

    private static Node one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? node(rs) : null;
        }
    }

    private static Node node(ResultSet rs) throws SQLException {
        return new Node(rs.getLong("id"), rs.getString("name"), rs.getString("zone"), rs.getInt("cpu_cores"),
                rs.getLong("memory_mb"), rs.getLong("disk_gb"), rs.getString("state"), Sql.json(rs, "labels"),
                new Allocated(rs.getInt("alloc_cpu_cores"), rs.getLong("alloc_memory_mb"), rs.getLong("alloc_disk_gb")),
                rs.getInt("vm_count"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));
    }
}
