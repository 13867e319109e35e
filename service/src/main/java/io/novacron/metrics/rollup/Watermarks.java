package io.novacron.metrics.rollup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * How far the tiers of a series scope (VM, node) are complete; see V11__rollup_watermarks.sql.
 * Times are epoch microseconds; {@link #NONE} stands for "nothing compacted yet" (SQL NULL).
 * Organizations have no watermarks: their tiers are fed by partials of every batch
 * ({@link #ALWAYS}: every tier is complete up to its delta rows).
 */
public record Watermarks(long ingestUntil, long tierUntil, long hourUntil, long dayUntil, long packedUntil) {
    public static final long NONE = Long.MIN_VALUE;
    public static final Watermarks ALWAYS = new Watermarks(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, NONE);

    /** With the scope's {@code packed_until} (V35), in the same snapshot. */
    private static final String READ = """
            SELECT w.ingest_until, w.tier_until, w.hour_until, w.day_until, p.packed_until
              FROM rollup_watermark w LEFT JOIN metric_pack_watermark p ON p.scope = w.scope
             WHERE w.scope = ?""";

    /** The watermarks as the transaction's snapshot sees them. */
    public static Watermarks read(Connection c, RollupScope scope) throws SQLException {
        if (!scope.watermarked()) {
            return ALWAYS;
        }
        try (PreparedStatement ps = c.prepareStatement(READ)) {
            ps.setString(1, scope.watermarkName());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no rollup_watermark row for " + scope);
                }
                return new Watermarks(micros(rs, 1), micros(rs, 2), micros(rs, 3), micros(rs, 4), micros(rs, 5));
            }
        }
    }

    /**
     * For an ingest batch: takes the scope's ingest lock in shared mode (held to commit, so the
     * compactor cannot move {@code ingest_until} while the batch is in flight), then reads
     * {@code ingest_until} in a statement of its own (its snapshot must follow the lock). Samples
     * of buckets before the returned time need a delta partial; later ones need none.
     */
    public static long lockForIngest(Connection c, RollupScope scope) throws SQLException {
        if (!scope.watermarked()) {
            return Long.MAX_VALUE;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtext(?))")) {
            ps.setString(1, ingestLockName(scope));
            ps.execute();
        }
        return read(c, scope).ingestUntil();
    }

    /** Tier of {@code stepSeconds} is complete (with its delta rows) before this time. */
    public long tierLimit(int stepSeconds) {
        return switch (stepSeconds) {
            case 300 -> tierUntil;
            case 3600 -> hourUntil;
            case 86400 -> dayUntil;
            default -> Long.MAX_VALUE; // the organizations' 1-minute tier
        };
    }

    /**
     * The tier of {@code stepSeconds} holds rows from this time on ({@link #NONE}: from the start).
     * Only the 5-minute tier starts late: before {@code packed_until} (V35) the series' raw history
     * is packed and the blocks are the finest tier. An hour's samples are at most 60 decoded values
     * a metric, where its 5-minute rows (sums, mins, maxs and a sketch per metric) took ~100 bytes
     * per sample; so the packer drops an hour's 5-minute rows when it moves the hour, queries
     * aggregate the blocks instead, and late samples there are folded into the hour and day tiers
     * only (V41).
     */
    public long tierFrom(int stepSeconds) {
        return stepSeconds == 300 ? packedUntil : NONE;
    }

    /** Held by the compactor for a round (tried, not waited for) and by the packer while it moves an hour. */
    public static String compactionLockName(RollupScope scope) {
        return "rollup_compaction_" + scope.table();
    }

    public static String ingestLockName(RollupScope scope) {
        return "rollup_ingest_" + scope.watermarkName();
    }

    private static long micros(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? NONE : Math.addExact(Math.multiplyExact(Math.floorDiv(t.getTime(), 1000L), 1_000_000L), t.getNanos() / 1000);
    }
}
