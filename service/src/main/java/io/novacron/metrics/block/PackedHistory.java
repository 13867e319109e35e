package io.novacron.metrics.block;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What ingestion needs to keep exactly-once across the packing boundary (V35): the scope's
 * {@code packed_until}, and for samples before it the timestamps already packed. The late path
 * is measured and argued in docs/METRICS.md ("Late samples in packed hours").
 */
public final class PackedHistory {
    private static final String READ = "SELECT packed_until FROM metric_pack_watermark WHERE scope = ?";
    private static final String MARK_DIRTY = """
            INSERT INTO metric_pack_dirty (scope, hour)
            SELECT ?, timestamptz 'epoch' + h * interval '1 microsecond' FROM unnest(?::bigint[]) AS h ORDER BY 2
            ON CONFLICT DO NOTHING""";

    private PackedHistory() {
    }

    /**
     * The scope's {@code packed_until} in epoch µs ({@link Long#MIN_VALUE} when nothing is packed).
     * Call after taking the rollup ingest lock ({@code Watermarks.lockForIngest}), in a statement
     * of its own: the packer moves it under that lock's exclusive mode, so it holds until commit.
     */
    public static long packedUntil(Connection c, BlockTable t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, t.scope());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no metric_pack_watermark row for " + t.scope());
                }
                Timestamp ts = rs.getTimestamp(1);
                return ts == null ? Long.MIN_VALUE : BlockTable.micros(ts);
            }
        }
    }

    /**
     * For a batch with samples before {@code packed_until}: takes the scope's pack lock in shared
     * mode (to commit: the packer cannot rewrite blocks meanwhile), marks their hours for the
     * packer and returns, per (org, series, hour) asked, the samples already in its block: their
     * timestamps and the metrics each holds (bit m: metric m). {@code org} is ignored for nodes.
     */
    public static Map<List<Long>, Map<Long, Integer>> lockAndFindPacked(Connection c, BlockTable t, long[] org, long[] series, long[] hour)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtext(?))")) {
            ps.setString(1, t.packLock());
            ps.execute();
        }
        TreeSet<Long> hours = new TreeSet<>();
        for (long h : hour) {
            hours.add(h);
        }
        try (PreparedStatement ps = c.prepareStatement(MARK_DIRTY)) {
            ps.setString(1, t.scope());
            ps.setArray(2, c.createArrayOf("bigint", hours.toArray()));
            ps.execute();
        }
        Map<List<Long>, Map<Long, Integer>> found = new HashMap<>();
        // Primary key (keys, block_start): one probe per block asked.
        String sql = t.twoKeys()
                ? "SELECT b.org_id, b.vm_id, b.block_start, b.data FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS k(o, s, h)"
                        + " JOIN vm_metric_block b ON b.org_id = k.o AND b.vm_id = k.s AND b.block_start = " + BlockTable.EPOCH_MICROS.formatted("k.h")
                : "SELECT 0::bigint, b.node_id, b.block_start, b.data FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS k(o, s, h)"
                        + " JOIN node_metric_block b ON b.node_id = k.s AND b.block_start = " + BlockTable.EPOCH_MICROS.formatted("k.h");
        Set<List<Long>> asked = new HashSet<>();
        List<Long> os = new ArrayList<>(), ss = new ArrayList<>();
        List<Long> hs = new ArrayList<>();
        for (int i = 0; i < series.length; i++) {
            if (asked.add(List.of(t.twoKeys() ? org[i] : 0L, series[i], hour[i]))) {
                os.add(t.twoKeys() ? org[i] : 0L);
                ss.add(series[i]);
                hs.add(hour[i]);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setArray(1, c.createArrayOf("bigint", os.toArray()));
            ps.setArray(2, c.createArrayOf("bigint", ss.toArray()));
            ps.setArray(3, c.createArrayOf("bigint", hs.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesBlock block = BlockCodec.decode(rs.getBytes(4));
                    Map<Long, Integer> ts = new HashMap<>();
                    for (int i = 0; i < block.size(); i++) {
                        int mask = 0;
                        for (int m = 0; m < block.columns(); m++) {
                            mask |= block.has(m, i) ? 1 << m : 0;
                        }
                        ts.put(block.ts()[i], mask);
                    }
                    found.put(List.of(rs.getLong(1), rs.getLong(2), BlockTable.micros(rs.getTimestamp(3))), ts);
                }
            }
        }
        return found;
    }
}
