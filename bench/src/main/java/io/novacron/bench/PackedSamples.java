package io.novacron.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** VM samples in packed blocks, from the packer's own counts (V35); 0 on a database before packing. */
final class PackedSamples {
    private PackedSamples() {
    }

    static long vm(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT to_regclass('metric_pack_stats') IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT coalesce(sum(samples), 0) FROM metric_pack_stats WHERE scope = 'vm'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
