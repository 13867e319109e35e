package io.novacron.fleet;

import io.novacron.db.Sql;
import io.novacron.db.SqlStates;
import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.postgresql.util.PSQLException;

/**
 * Chooses and charges a node for a VM.
 *
 * <p>Correctness does not rest on this class: the {@code vm_node_allocation} trigger charges the
 * node row (taking its row lock) in the VM statement's transaction, and the node's
 * {@code node_*_not_overcommitted} CHECKs are evaluated on the newest row version, so two
 * concurrent placements can never both fit into the same last slot. This class only picks good
 * candidates: best fit, the online node with the smallest score
 * {@code free_cpu'/cpu + free_mem'/mem + free_disk'/disk} where {@code free'} is what would be
 * left after placement. Each attempt runs under a SAVEPOINT, so a candidate that filled up since
 * the candidate query (check violation) or left the online state is rolled back and the next
 * one is tried.
 */
final class Placement {
    /** Candidates per round and rounds (each round re-reads the committed allocation). */
    private static final int CANDIDATES_PER_ROUND = 8;
    private static final int ROUNDS = 3;

    // Nodes are platform-wide and few (hundreds): a scan of node is cheaper than any index here.
    private static final String CANDIDATES = """
            SELECT id FROM node
            WHERE state = 'online' AND id <> ALL (?)
              AND cpu_cores - alloc_cpu_cores >= ? AND memory_mb - alloc_memory_mb >= ? AND disk_gb - alloc_disk_gb >= ?
            ORDER BY (cpu_cores - alloc_cpu_cores - ?)::float8 / cpu_cores
                   + (memory_mb - alloc_memory_mb - ?)::float8 / memory_mb
                   + (disk_gb - alloc_disk_gb - ?)::float8 / disk_gb, id
            LIMIT ?""";
    private static final String NODE_STATE = "SELECT state FROM node WHERE id = ?";

    /** The statement that charges a node (insert or update of the VM row); returns its result. */
    @FunctionalInterface
    interface Charge<T> {
        T on(long nodeId) throws SQLException;
    }

    record Size(long cpuCores, long memoryMb, long diskGb) {
    }

    private Placement() {
    }

    /** Best fit over the online nodes; 409 insufficient_capacity when none has room. */
    static <T> T bestFit(Connection c, Size s, Charge<T> charge) throws SQLException {
        Set<Long> tried = new HashSet<>();
        for (int round = 0; round < ROUNDS; round++) {
            List<Long> candidates = candidates(c, s, tried);
            if (candidates.isEmpty()) {
                break;
            }
            for (long node : candidates) {
                T placed = tryOn(c, node, charge);
                if (placed != null) {
                    return placed;
                }
                tried.add(node);
            }
        }
        throw noRoom(s, null);
    }

    /** On the named node only: 400 if it does not exist, 409 if it is not online or has no room. */
    static <T> T onNode(Connection c, long node, Size s, String field, Charge<T> charge) throws SQLException {
        T placed = tryOn(c, node, charge);
        if (placed != null) {
            return placed;
        }
        String state = state(c, node);
        if (state == null) {
            throw ApiException.invalid(field, "node " + node + " does not exist");
        }
        if (!"online".equals(state)) {
            throw new ApiException(ErrorCode.CONFLICT, "node " + node + " is " + state + ", not online",
                    Map.of("field", field, "node_id", node, "state", state));
        }
        throw noRoom(s, node);
    }

    /**
     * Runs {@code charge} under a savepoint; null (and rolled back) when the node had no room or
     * is not online. The state is read after the charge, under the node row lock the trigger took,
     * so it cannot change before commit.
     */
    static <T> T tryOn(Connection c, long node, Charge<T> charge) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            T result = charge.on(node);
            if (!"online".equals(state(c, node))) {
                c.rollback(sp);
                return null;
            }
            c.releaseSavepoint(sp);
            return result;
        } catch (SQLException e) {
            if (isOvercommit(e) || SqlStates.FOREIGN_KEY_VIOLATION.equals(e.getSQLState()) && isNodeFk(e)) {
                c.rollback(sp);
                return null;
            }
            throw e;
        }
    }

    static ApiException noRoom(Size s, Long node) {
        return new ApiException(ErrorCode.INSUFFICIENT_CAPACITY,
                node == null ? "no online node has room for the VM" : "node " + node + " does not have room for the VM",
                Map.of("cpu_cores", s.cpuCores(), "memory_mb", s.memoryMb(), "disk_gb", s.diskGb()));
    }

    static boolean isOvercommit(SQLException e) {
        String constraint = constraint(e);
        return SqlStates.CHECK_VIOLATION.equals(e.getSQLState()) && constraint != null
                && constraint.startsWith("node_") && constraint.endsWith("_not_overcommitted");
    }

    private static boolean isNodeFk(SQLException e) {
        String constraint = constraint(e);
        return constraint != null && constraint.startsWith("vm_node_id");
    }

    private static String constraint(SQLException e) {
        return e instanceof PSQLException pe && pe.getServerErrorMessage() != null
                ? pe.getServerErrorMessage().getConstraint() : null;
    }

    private static String state(Connection c, long node) throws SQLException {
        try (PreparedStatement ps = Sql.prepare(c, NODE_STATE, node); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static List<Long> candidates(Connection c, Size s, Set<Long> exclude) throws SQLException {
        Array excluded = c.createArrayOf("bigint", exclude.toArray(new Long[0]));
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = Sql.prepare(c, CANDIDATES, excluded, s.cpuCores(), s.memoryMb(), s.diskGb(),
                s.cpuCores(), s.memoryMb(), s.diskGb(), CANDIDATES_PER_ROUND); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }
}
