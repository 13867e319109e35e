package io.novacron.metrics;

import io.novacron.support.FreshDatabase;
import io.novacron.web.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Inserts the inventory the metric tests need with plain SQL into the V1 tables. */
public final class MetricsFixture {
    private final FreshDatabase db;

    public MetricsFixture(FreshDatabase db) {
        this.db = db;
    }

    public long org(String name) throws SQLException {
        return one("INSERT INTO org (name) VALUES (?) RETURNING id", name);
    }

    public long node(String name) throws SQLException {
        return one("INSERT INTO node (name, zone, cpu_cores, memory_mb, disk_gb) VALUES (?, 'z1', 256, 1048576, 100000) RETURNING id", name);
    }

    /** A stopped VM (no node needed) owned by a fresh user of {@code org}. */
    public long vm(long org, String name) throws SQLException {
        long user = one("INSERT INTO app_user (org_id, email, name, role) VALUES (?, ?, 'u', 'admin') RETURNING id",
                org, name + "@example.com");
        return one("INSERT INTO vm (org_id, owner_id, name, state, cpu_cores, memory_mb, disk_gb) VALUES (?, ?, ?, 'stopped', 1, 1024, 10) RETURNING id",
                org, user, name);
    }

    /** An org token with the given role; returns the token. */
    public String token(long org, String role) throws SQLException {
        String token = Tokens.generate();
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("INSERT INTO api_token (org_id, name, role, token_hash) VALUES (?, 't', ?, ?)")) {
            ps.setLong(1, org);
            ps.setString(2, role);
            ps.setBytes(3, Tokens.hash(token));
            ps.executeUpdate();
        }
        return token;
    }

    public long one(String sql, Object... args) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public double dbl(String sql, Object... args) throws SQLException {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getDouble(1);
            }
        }
    }
}
