package io.novacron.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.config.ServiceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One hot standby: its pool, what is known of its replay position, and whether it is in rotation.
 *
 * <p>{@link #knownReplay} is a lower bound of the standby's replay LSN: replay only moves forward
 * while the standby runs, so a read whose target is at or below it needs no check. A restart can
 * start replay from an earlier restartpoint, so every sign of a restart (a failed connection, a
 * failed probe, a new postmaster start time) resets it to 0 and the next read checks again.
 */
final class Replica implements AutoCloseable {
    // Replay LSN as a byte position; NULL (never on a running standby) reads as 0.
    static final String REPLAY_LSN = "SELECT coalesce((pg_last_wal_replay_lsn() - '0/0')::int8, 0)";
    private static final String PROBE = """
            SELECT coalesce((pg_last_wal_replay_lsn() - '0/0')::int8, 0), pg_is_in_recovery(),
                   (extract(epoch FROM pg_postmaster_start_time()) * 1e6)::int8""";
    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final String name;
    private final String url;
    private final ServiceConfig.Database cfg;
    private final HikariDataSource pool;
    private final AtomicLong knownReplay = new AtomicLong();
    private volatile boolean up;
    private volatile String state = "starting";
    private volatile long lagBytes;
    private volatile double lagSeconds;
    private volatile long startedAt;
    private Connection probe; // the monitor thread's own
    final Counter served;
    final Counter behind;
    final Counter failed;

    Replica(int index, String url, ServiceConfig.Database cfg, MeterRegistry registry) {
        this.name = label(url);
        this.url = url;
        this.cfg = cfg;
        this.pool = new HikariDataSource(poolConfig(index, url, cfg, registry));
        this.served = Counter.builder("novacron_db_reads_total").tag("server", name)
                .description("Reads (Tx.read) by the server that answered them").register(registry);
        this.behind = Counter.builder("novacron_db_replica_skips_total").tag("replica", name).tag("reason", "behind")
                .description("Reads a replica did not take: behind the last acknowledged commit past the wait, or failing")
                .register(registry);
        this.failed = Counter.builder("novacron_db_replica_skips_total").tag("replica", name).tag("reason", "error")
                .register(registry);
        Gauge.builder("novacron_db_replica_up", this, r -> r.up ? 1 : 0).tag("replica", name)
                .description("1 while the replica is in rotation").register(registry);
        Gauge.builder("novacron_db_replica_lag_bytes", this, r -> r.lagBytes).tag("replica", name)
                .description("WAL bytes the replica has yet to replay, at the last probe").register(registry);
        Gauge.builder("novacron_db_replica_lag_seconds", this, r -> r.lagSeconds).tag("replica", name)
                .description("Age of the oldest primary WAL position the replica has not replayed, at the last probe")
                .register(registry);
    }

    /** host:port/database of the URL: a metric label without credentials or parameters. */
    static String label(String url) {
        String rest = url.substring("jdbc:postgresql://".length());
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }

    String name() {
        return name;
    }

    boolean up() {
        return up;
    }

    Connection borrow() throws SQLException {
        return pool.getConnection();
    }

    /**
     * True once the standby behind {@code c} has replayed {@code target}, checked on {@code c}
     * itself, polling until {@code deadline} (System.nanoTime). The first check is free when an
     * earlier one already saw the standby at or past the target.
     */
    boolean caughtUp(Connection c, long target, long deadline) throws SQLException {
        if (knownReplay.get() >= target) {
            return true;
        }
        try (PreparedStatement ps = c.prepareStatement(REPLAY_LSN)) {
            while (true) {
                long replay;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    replay = rs.getLong(1);
                }
                knownReplay.accumulateAndGet(replay, Math::max);
                if (replay >= target) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    return false;
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
    }

    /** A read failed to reach it: out of rotation until the monitor's probe succeeds again. */
    void markDown(String why) {
        knownReplay.set(0);
        up = false;
        state = "down: " + why;
    }

    /**
     * The monitor's probe (its own connection, not the pool's): position, still a standby, restarts.
     * Returns the replay LSN, or -1 when the replica cannot serve.
     */
    long probe() {
        try {
            if (probe == null || probe.isClosed()) {
                probe = connect();
            }
            try (PreparedStatement ps = probe.prepareStatement(PROBE); ResultSet rs = ps.executeQuery()) {
                rs.next();
                long replay = rs.getLong(1);
                boolean standby = rs.getBoolean(2);
                long started = rs.getLong(3);
                if (started != startedAt) {
                    knownReplay.set(0); // restarted: replay may resume from an earlier restartpoint
                    startedAt = started;
                }
                if (!standby) {
                    // Promoted: it no longer follows the primary this service writes to.
                    markDown("not in recovery (promoted?)");
                    return -1;
                }
                knownReplay.accumulateAndGet(replay, Math::max);
                return replay;
            }
        } catch (SQLException e) {
            closeProbe();
            markDown(e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName()));
            return -1;
        }
    }

    /** The monitor's verdict after a successful probe. */
    void assess(long lagBytes, double lagSeconds, Duration maxLag) {
        this.lagBytes = lagBytes;
        this.lagSeconds = lagSeconds;
        if (lagSeconds * 1000 > maxLag.toMillis()) {
            up = false;
            state = "lagging";
        } else {
            up = true;
            state = "up";
        }
    }

    Map<String, Object> status(double totalReads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replica", name);
        m.put("state", state);
        m.put("lag_bytes", lagBytes);
        m.put("lag_seconds", lagSeconds);
        m.put("reads_served", (long) served.count());
        m.put("read_share", totalReads == 0 ? 0.0 : served.count() / totalReads);
        m.put("skipped_behind", (long) behind.count());
        m.put("skipped_error", (long) failed.count());
        m.put("pool_active", pool.getHikariPoolMXBean() == null ? 0 : pool.getHikariPoolMXBean().getActiveConnections());
        return m;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cfg.user());
        p.setProperty("password", cfg.password());
        p.setProperty("ApplicationName", "novacron-replica-monitor");
        p.setProperty("connectTimeout", "1");
        p.setProperty("socketTimeout", "2");
        return DriverManager.getConnection(url, p);
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // being replaced
            }
            probe = null;
        }
    }

    @Override
    public void close() {
        closeProbe();
        pool.close();
    }

    private static HikariConfig poolConfig(int index, String url, ServiceConfig.Database cfg, MeterRegistry registry) {
        HikariConfig hc = Database.poolConfig(cfg.withUrl(url));
        hc.setPoolName("novacron-replica-" + index);
        hc.setMetricRegistry(registry);
        // A replica that is down must cost a request little: the read goes to the primary after this.
        hc.setConnectionTimeout(500);
        hc.setValidationTimeout(250);
        // The service starts, and serves from the primary, while a replica is unreachable.
        hc.setInitializationFailTimeout(-1);
        hc.addDataSourceProperty("connectTimeout", "1");
        hc.addDataSourceProperty("ApplicationName", "novacron-replica");
        return hc;
    }
}
