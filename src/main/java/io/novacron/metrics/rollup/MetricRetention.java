package io.novacron.metrics.rollup;

import io.novacron.config.ServiceConfig;
import io.novacron.db.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Time-partition upkeep and tiered retention, run by the maintenance task: raw partitions for
 * yesterday to two days ahead exist; raw days past NOVACRON_RETENTION_RAW_DAYS are dropped
 * (a DROP, no row-by-row DELETE); rollup buckets past their tier's retention are deleted
 * (5m: NOVACRON_RETENTION_5M_DAYS, 1h: _1H_, 1d: _1D_; the organizations' 1-minute tier follows
 * the raw retention), so history outlives the raw samples.
 */
public final class MetricRetention {
    private final Tx tx;
    private final ServiceConfig.Retention retention;
    private final Clock clock;

    public MetricRetention(Tx tx, ServiceConfig.Retention retention, Clock clock) {
        this.tx = tx;
        this.retention = retention;
        this.clock = clock;
    }

    /** Returns partitions dropped. */
    public int run() {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return tx.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT ensure_metric_partitions(?::date, ?::date)")) {
                ps.setObject(1, today.minusDays(1));
                ps.setObject(2, today.plusDays(2));
                ps.execute();
            }
            int dropped;
            try (PreparedStatement ps = c.prepareStatement("SELECT drop_metric_partitions(?)")) {
                ps.setObject(1, now.minus(retention.raw()).atOffset(ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    dropped = rs.getInt(1);
                }
            }
            for (RollupScope scope : RollupScope.values()) {
                for (int step : scope.stepsSeconds()) {
                    // <table>_bucket_brin: old buckets sit in the oldest block ranges.
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + scope.table() + " WHERE step_s = ? AND bucket < ?")) {
                        ps.setInt(1, step);
                        ps.setObject(2, now.minus(keep(step)).atOffset(ZoneOffset.UTC));
                        ps.executeUpdate();
                    }
                }
            }
            return dropped;
        });
    }

    private Duration keep(int step) {
        return switch (step) {
            case 300 -> retention.fiveMinute();
            case 3600 -> retention.hourly();
            case 86400 -> retention.daily();
            default -> retention.raw();
        };
    }
}
