package io.novacron.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Bulk-loads a generated inventory (orgs, users, nodes, VMs) with text {@code COPY} straight into
 * the V1 tables, in one transaction. This is a deliberate shortcut: the inventory is not what the
 * benchmark measures, and the API has no way to create a VM directly in every state (there is no
 * action into {@code error}). The schema's own triggers still run on every row, so node
 * allocation counters (the {@code vm_node_allocation} trigger, whose CHECKs forbid over-commit)
 * and anything else kept by triggers stay exact; what COPY skips is the audit log. Metric
 * samples never take this path: they go through the HTTP ingestion API ({@link MetricLoader}).
 */
public final class InventoryLoader {
    private static final int CHUNK = 1 << 20;

    private InventoryLoader() {
    }

    /** The id bases that continue after the rows already in the database. */
    public static Fleet.IdBase nextIds(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("""
                     SELECT (SELECT coalesce(max(id), 0) FROM org), (SELECT coalesce(max(id), 0) FROM app_user),
                            (SELECT coalesce(max(id), 0) FROM node), (SELECT coalesce(max(id), 0) FROM vm)""")) {
            rs.next();
            return new Fleet.IdBase(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
        }
    }

    /** Loads every inventory row of the generator; returns the number of rows written. */
    public static long load(Connection c, FleetGenerator gen) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        long rows;
        try {
            rows = copy(c, "COPY org (id, name, created_at) FROM STDIN", gen::orgs,
                    (o, w) -> w.col(o.id()).col(o.name()).col(o.createdAt()));
            rows += copy(c, "COPY app_user (org_id, id, email, name, role, created_at) FROM STDIN", gen::users,
                    (u, w) -> w.col(u.orgId()).col(u.id()).col(u.email()).col(u.name()).col(u.role()).col(u.createdAt()));
            rows += copy(c, "COPY node (id, name, zone, cpu_cores, memory_mb, disk_gb, state, labels, created_at, updated_at) FROM STDIN",
                    gen::nodes, (n, w) -> w.col(n.id()).col(n.name()).col(n.zone()).col(n.cpuCores()).col(n.memoryMb())
                            .col(n.diskGb()).col(n.state()).col("{\"rack\":\"" + n.rack() + "\"}").col(n.createdAt()).col(n.createdAt()));
            rows += copy(c, "COPY vm (org_id, id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata, created_at, updated_at) FROM STDIN",
                    gen::vms, (v, w) -> w.col(v.orgId()).col(v.id()).col(v.ownerId()).col(v.nodeId() == 0 ? null : v.nodeId())
                            .col(v.name()).col(v.state()).col(v.cpuCores()).col(v.memoryMb()).col(v.diskGb())
                            .col(metadata(v)).col(v.createdAt()).col(v.updatedAt()));
            try (Statement st = c.createStatement()) {
                // Explicit ids were copied into identity columns: move each sequence past them.
                for (String t : new String[] {"org", "app_user", "node", "vm"}) {
                    st.execute("SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), (SELECT max(id) FROM " + t + "))");
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            // One transaction charged each node ~200 VMs: ~200 dead versions per node row, which a
            // plain VACUUM frees but does not return (large: 140 MB of heap for 5,000 nodes, scanned
            // by every capacity read). Live, counters change one VM at a time and stay HOT (V21).
            st.execute("VACUUM FULL node");
            st.execute("ANALYZE org, app_user, node, vm");
        } finally {
            c.setAutoCommit(auto);
        }
        return rows;
    }

    static String metadata(Fleet.Vm v) {
        StringBuilder sb = new StringBuilder("{\"tags\":[");
        for (int i = 0; i < v.tags().size(); i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(v.tags().get(i)).append('"');
        }
        return sb.append("]}").toString();
    }

    interface RowWriter<T> {
        void write(T row, Line line);
    }

    private static <T> long copy(Connection c, String sql, Consumer<Consumer<T>> rows, RowWriter<T> writer) throws SQLException {
        CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        Line line = new Line();
        long[] count = {0};
        try {
            rows.accept(row -> {
                writer.write(row, line);
                line.end();
                count[0]++;
                if (line.buf.size() >= CHUNK) {
                    line.flushTo(in);
                }
            });
            line.flushTo(in);
            in.endCopy();
            return count[0];
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** One COPY text-format line under construction (tab-separated, \N for null, escaped). */
    static final class Line {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream(CHUNK + 4096);
        private final StringBuilder sb = new StringBuilder(256);

        Line col(Object v) {
            if (!sb.isEmpty()) {
                sb.append('\t');
            }
            if (v == null) {
                sb.append("\\N");
            } else if (v instanceof Instant t) {
                sb.append(t);
            } else {
                String s = v.toString();
                for (int i = 0; i < s.length(); i++) {
                    char ch = s.charAt(i);
                    switch (ch) {
                        case '\\' -> sb.append("\\\\");
                        case '\t' -> sb.append("\\t");
                        case '\n' -> sb.append("\\n");
                        case '\r' -> sb.append("\\r");
                        default -> sb.append(ch);
                    }
                }
            }
            return this;
        }

        void end() {
            sb.append('\n');
            buf.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
            sb.setLength(0);
        }

        void flushTo(CopyIn in) {
            try {
                byte[] b = buf.toByteArray();
                in.writeToCopy(b, 0, b.length);
                buf.reset();
            } catch (SQLException e) {
                throw new CopyFailed(e);
            }
        }
    }

    /** Carries a COPY write failure out of the row consumer. */
    static final class CopyFailed extends RuntimeException {
        CopyFailed(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
