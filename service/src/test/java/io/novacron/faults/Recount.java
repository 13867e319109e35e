package io.novacron.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes, from the vm table alone, what the service's trigger-kept counters say: an
 * organization's dashboard (counts by state, allocated and running resources, owners, nodes in
 * use) and every node's allocation and VM count. After a crash they must be equal.
 */
final class Recount {
    private Recount() {
    }

    // The states that hold a node's resources (vm_state_holds_resources).
    private static final String HOLDS = "state IN ('pending', 'running', 'paused', 'migrating')";

    private static final String ORG = """
            SELECT count(*),
                   count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'running'),
                   count(*) FILTER (WHERE state = 'stopped'), count(*) FILTER (WHERE state = 'paused'),
                   count(*) FILTER (WHERE state = 'migrating'), count(*) FILTER (WHERE state = 'error'),
                   coalesce(sum(cpu_cores) FILTER (WHERE %1$s), 0), coalesce(sum(memory_mb) FILTER (WHERE %1$s), 0),
                   coalesce(sum(disk_gb) FILTER (WHERE %1$s), 0),
                   coalesce(sum(cpu_cores) FILTER (WHERE state = 'running'), 0),
                   coalesce(sum(memory_mb) FILTER (WHERE state = 'running'), 0),
                   coalesce(sum(disk_gb) FILTER (WHERE state = 'running'), 0),
                   count(DISTINCT owner_id), count(DISTINCT node_id) FILTER (WHERE %1$s)
            FROM vm WHERE org_id = ?""".formatted(HOLDS);

    private static final String NODES = """
            SELECT n.id, n.alloc_cpu_cores, n.alloc_memory_mb, n.alloc_disk_gb, n.vm_count,
                   coalesce(sum(v.cpu_cores), 0), coalesce(sum(v.memory_mb), 0), coalesce(sum(v.disk_gb), 0), count(v.id)
            FROM node n LEFT JOIN vm v ON v.node_id = n.id AND %s
            GROUP BY n.id ORDER BY n.id""".formatted(HOLDS.replace("state", "v.state"));

    /** Differences between the org's dashboard (as the API serves it) and the recount; empty when equal. */
    static List<String> dashboard(Connection c, Http http, long org) throws SQLException {
        JsonNode d = http.get("/api/v1/dashboard").json();
        List<String> diff = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ORG)) {
            ps.setLong(1, org);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String[] paths = {"vms.total", "vms.by_state.pending", "vms.by_state.running", "vms.by_state.stopped",
                    "vms.by_state.paused", "vms.by_state.migrating", "vms.by_state.error", "allocated.cpu_cores",
                    "allocated.memory_mb", "allocated.disk_gb", "running.cpu_cores", "running.memory_mb", "running.disk_gb",
                    "owners", "nodes_in_use"};
                for (int i = 0; i < paths.length; i++) {
                    JsonNode n = d;
                    for (String p : paths[i].split("\\.")) {
                        n = n.path(p);
                    }
                    long served = n.asLong(-1);
                    long counted = rs.getLong(i + 1);
                    if (served != counted) {
                        diff.add(paths[i] + ": dashboard " + served + ", recount " + counted);
                    }
                }
            }
        }
        return diff;
    }

    /** Nodes whose allocation counters differ from the recount; empty when all are equal. */
    static List<String> nodes(Connection c) throws SQLException {
        List<String> diff = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(NODES); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                for (int k = 0; k < 4; k++) {
                    if (rs.getLong(2 + k) != rs.getLong(6 + k)) {
                        diff.add("node " + rs.getLong(1) + " column " + (k + 1) + ": stored " + rs.getLong(2 + k) + ", recount " + rs.getLong(6 + k));
                    }
                }
            }
        }
        return diff;
    }

    static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
