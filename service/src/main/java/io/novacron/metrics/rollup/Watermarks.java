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
public record Watermarks(long ingestUntil, long tierUntil, long hourUntil, long dayUntil) {
    public static final long NONE = Long.MIN_VALUE;
    public static final Watermarks ALWAYS = new Watermarks(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    private static final String READ = "SELECT ingest_until, tier_until, hour_until, day_until FROM rollup_watermark WHERE scope = ?";

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
                return new Watermarks(micros(rs, 1), micros(rs, 2), micros(rs, 3), micros(rs, 4));
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

    public static String ingestLockName(RollupScope scope) {
        return "rollup_ingest_" + scope.watermarkName();
    }

    private static long micros(ResultSet rs, int col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? NONE : Math.addExact(Math.multiplyExact(Math.floorDiv(t.getTime(), 1000L), 1_000_000L), t.getNanos() / 1000);
    }
}
