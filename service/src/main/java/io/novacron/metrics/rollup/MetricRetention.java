package io.novacron.metrics.rollup;

import io.novacron.config.ServiceConfig;
import io.novacron.db.Database;
import io.novacron.db.DbException;
import io.novacron.db.SqlStates;
import io.novacron.db.Tx;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
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
 * the raw retention), so history outlives the raw samples. Packed block days (V35) go with the
 * longer of the raw and 5-minute retentions: below {@code packed_until} they are the 5-minute
 * tier (V41).
 */
public final class MetricRetention {
    static final Duration DDL_LOCK_WAIT = Duration.ofSeconds(1);
    private static final int DDL_ATTEMPTS = 10;
    private static final Duration DDL_RETRY_PAUSE = Duration.ofSeconds(3);

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
        partitionDdl(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT ensure_metric_partitions(?::date, ?::date)")) {
                ps.setObject(1, today.minusDays(1));
                ps.setObject(2, today.plusDays(2));
                ps.execute();
            }
            return null;
        });
        int dropped = partitionDdl(c -> {
            // Packed blocks are the 5-minute tier of their hours (V41): kept as long as that tier.
            Duration blocks = retention.raw().compareTo(retention.fiveMinute()) >= 0 ? retention.raw() : retention.fiveMinute();
            try (PreparedStatement ps = c.prepareStatement("SELECT drop_metric_partitions(?, ?)")) {
                ps.setObject(1, now.minus(retention.raw()).atOffset(ZoneOffset.UTC));
                ps.setObject(2, now.minus(blocks).atOffset(ZoneOffset.UTC));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
        tx.inTransaction(c -> {
            Database.allowLongStatements(c, Duration.ofMinutes(10));
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
            return null;
        });
        return dropped;
    }

    /**
     * Creating or dropping a partition locks the parent table exclusively, and every ingest batch
     * that arrives while the DDL waits for that lock queues behind it. So the DDL waits at most
     * {@link #DDL_LOCK_WAIT} for its lock and is retried a few times, a pause apart, rather than
     * stalling ingestion until the statement timeout (seen in a large load: 15 s stalls).
     */
    private <T> T partitionDdl(Tx.Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return tx.inTransaction(c -> {
                    try (Statement st = c.createStatement()) {
                        st.execute("SET LOCAL lock_timeout = '" + DDL_LOCK_WAIT.toMillis() + "ms'");
                    }
                    return work.run(c);
                });
            } catch (DbException e) {
                if (!SqlStates.LOCK_NOT_AVAILABLE.equals(e.sqlState()) || attempt == DDL_ATTEMPTS) {
                    throw e;
                }
            }
            try {
                Thread.sleep(DDL_RETRY_PAUSE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while retrying partition DDL", e);
            }
        }
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
