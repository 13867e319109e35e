package io.novacron.reads;

import io.novacron.web.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Test inventory written with plain SQL (the reads must not depend on the fleet code). */
public final class Inventory {
    private final Connection c;

    public Inventory(Connection c) {
        this.c = c;
    }

    public long org(String name) throws SQLException {
        return id("INSERT INTO org (name) VALUES (?) RETURNING id", name);
    }

    /** An org token with the given role; returns the bearer token. */
    public String token(long org, String role) throws SQLException {
        String token = Tokens.generate();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_token (org_id, name, role, token_hash) VALUES (?, 't', ?, ?)")) {
            ps.setLong(1, org);
            ps.setString(2, role);
            ps.setBytes(3, Tokens.hash(token));
            ps.executeUpdate();
        }
        return token;
    }

    public long user(long org, String email) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO app_user (org_id, email, name, role) VALUES (?, ?, 'u', 'operator') RETURNING id")) {
            ps.setLong(1, org);
            ps.setString(2, email);
            return single(ps);
        }
    }

    public long node(String name, String zone, int cpu, long memoryMb, long diskGb) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO node (name, zone, cpu_cores, memory_mb, disk_gb) VALUES (?, ?, ?, ?, ?) RETURNING id")) {
            ps.setString(1, name);
            ps.setString(2, zone);
            ps.setInt(3, cpu);
            ps.setLong(4, memoryMb);
            ps.setLong(5, diskGb);
            return single(ps);
        }
    }

    public long vm(long org, long owner, Long node, String name, String state, int cpu, long memoryMb, String metadata)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO vm (org_id, owner_id, node_id, name, state, cpu_cores, memory_mb, disk_gb, metadata)
                VALUES (?, ?, ?, ?, ?, ?, ?, 10, ?::jsonb) RETURNING id""")) {
            ps.setLong(1, org);
            ps.setLong(2, owner);
            ps.setObject(3, node);
            ps.setString(4, name);
            ps.setString(5, state);
            ps.setInt(6, cpu);
            ps.setLong(7, memoryMb);
            ps.setString(8, metadata);
            return single(ps);
        }
    }

    public void exec(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.execute();
        }
    }

    public List<Long> longs(String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    private long id(String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            return single(ps);
        }
    }

    private static long single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
