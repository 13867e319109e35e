package io.novacron.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.config.ServiceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the server of each read ({@link Tx#read}): a streaming replica when one is in rotation
 * and has replayed every commit the service may have acknowledged, else the primary.
 *
 * <p><b>The freshness invariant.</b> A read must not show a state older than a change any
 * instance has acknowledged and this instance has heard of. The router keeps a <em>target</em>: a
 * primary WAL position at or past the end of every such commit. It is raised
 * <ul>
 * <li>after each commit on this instance ({@link #committed}): {@code pg_current_wal_insert_lsn()}
 *     on the committing connection, after COMMIT returned, is past the commit record, so the
 *     writer's next read sees its write;</li>
 * <li>whenever the change feed delivers notifications ({@link #feedSynced}): notifications are sent
 *     at commit, so the insert position read on the listening connection once they have arrived
 *     is past those commits. The feed calls this <em>before</em> it hands the payloads to the
 *     cache, so an answer computed after a cache version moved is read at or past the commit that
 *     moved it: the cache's own invariant ({@code ReadCache}) holds on replicas too;</li>
 * <li>when the feed (re)connects, as it does after an outage in which notifications were missed.</li>
 * </ul>
 * A replica serves a read only once its {@code pg_last_wal_replay_lsn()} is at or past the target
 * (replaying a commit record makes the transaction visible to new snapshots on a hot standby). It
 * is checked on the read's own connection, polling for at most {@code maxWait}; a replica still
 * behind is skipped. While the feed is down, or the last commit's position could not be read,
 * another instance's (or our own) commit may be unaccounted for, and every read goes to the primary.
 * Across instances a change is therefore fresh once its notification has arrived (milliseconds),
 * the same promise the result cache makes.
 *
 * <p><b>Cost.</b> One extra round trip after each write transaction, on the primary, only when
 * replicas are configured. A read needs no extra round trip when an earlier check already saw the
 * replica past the target; under a steady write load it usually needs one, on the replica.
 *
 * <p><b>Failures.</b> A replica whose connection fails is taken out at once ({@link Replica#markDown});
 * the read is run again on the primary, so a replica never fails a request the primary can answer.
 * A background monitor probes each replica every {@link #PROBE_MS} ms on its own connection and
 * puts it back after a successful probe, or keeps it out while it lags more than {@code maxLag}
 * (measured against the primary positions the monitor sampled) or has been promoted.
 */
public final class ReplicaRouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaRouter.class);
    static final long PROBE_MS = 250;
    private static final String INSERT_LSN = "SELECT (pg_current_wal_insert_lsn() - '0/0')::int8";
    private static final int HISTORY = (int) (60_000 / PROBE_MS);

    /** No replicas: every read goes to the primary and nothing is tracked. */
    public static final ReplicaRouter NONE = new ReplicaRouter();

    private record Sample(long nanos, long lsn) {
    }

    private final List<Replica> replicas;
    private final ServiceConfig.Database primaryCfg;
    private final long maxWaitNanos;
    private final Duration maxLag;
    private final AtomicLong target = new AtomicLong();
    /** Raised when a commit's position could not be read; cleared by a primary position read after it. */
    private final AtomicLong blindSince = new AtomicLong(-1);
    private volatile boolean feedLive;
    private final AtomicInteger next = new AtomicInteger();
    private final Counter primaryServed;
    private final ArrayDeque<Sample> history = new ArrayDeque<>();
    private final Thread monitor;
    private volatile boolean closed;
    private Connection primaryProbe; // the monitor thread's own

    private ReplicaRouter() {
        this.replicas = List.of();
        this.primaryCfg = null;
        this.maxWaitNanos = 0;
        this.maxLag = Duration.ZERO;
        this.primaryServed = null;
        this.monitor = null;
    }

    private ReplicaRouter(ServiceConfig.Database primary, ServiceConfig.Replicas cfg, MeterRegistry registry) {
        List<Replica> rs = new ArrayList<>();
        for (int i = 0; i < cfg.urls().size(); i++) {
            rs.add(new Replica(i + 1, cfg.urls().get(i), primary, registry));
        }
        this.replicas = List.copyOf(rs);
        this.primaryCfg = primary;
        this.maxWaitNanos = cfg.maxWait().toNanos();
        this.maxLag = cfg.maxLag();
        this.primaryServed = Counter.builder("novacron_db_reads_total").tag("server", "primary")
                .description("Reads (Tx.read) by the server that answered them").register(registry);
        this.monitor = new Thread(this::monitor, "novacron-replica-monitor");
        monitor.setDaemon(true);
    }

    /** The router of the configured replicas ({@link #NONE} without any), its monitor running. */
    public static ReplicaRouter start(ServiceConfig.Database primary, ServiceConfig.Replicas cfg, MeterRegistry registry) {
        if (cfg.urls().isEmpty()) {
            return NONE;
        }
        ReplicaRouter r = new ReplicaRouter(primary, cfg, registry);
        r.probeAll();
        r.monitor.start();
        return r;
    }

    public boolean active() {
        return !replicas.isEmpty();
    }

    /** Runs a read on a replica that is fresh enough, else on the primary. */
    <T> T read(Tx.Work<T> work, DataSource primary) throws SQLException {
        if (replicas.isEmpty()) {
            return onPrimary(work, primary);
        }
        if (!feedLive || blindSince.get() >= 0) {
            return onPrimary(work, primary);
        }
        long goal = target.get();
        long deadline = System.nanoTime() + maxWaitNanos;
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (!r.up()) {
                continue;
            }
            try (Connection c = r.borrow()) {
                if (!r.caughtUp(c, goal, deadline)) {
                    r.behind.increment();
                    continue;
                }
                T result = work.run(c);
                r.served.increment();
                return result;
            } catch (SQLException e) {
                r.failed.increment();
                if (SqlStates.isUnavailable(e)) {
                    r.markDown(e.getMessage().lines().findFirst().orElse("unavailable"));
                    log.warn("replica {} taken out: {}", r.name(), e.getMessage().lines().findFirst().orElse(""));
                }
                // Anything else (e.g. a query cancelled by a recovery conflict) is retried on the primary too.
            }
        }
        return onPrimary(work, primary);
    }

    private <T> T onPrimary(Tx.Work<T> work, DataSource primary) throws SQLException {
        try (Connection c = primary.getConnection()) {
            T result = work.run(c);
            if (primaryServed != null) {
                primaryServed.increment();
            }
            return result;
        }
    }

    /** After COMMIT returned on {@code c}: raises the target past that commit. Never throws. */
    void committed(Connection c) {
        if (replicas.isEmpty()) {
            return;
        }
        try {
            raise(insertLsn(c));
        } catch (SQLException e) {
            // The commit stands but its position is unknown: reads go to the primary until a
            // primary position read after this moment is in the target.
            blindSince.compareAndSet(-1, System.nanoTime());
        }
    }

    /**
     * Called by the change feed on its listening connection, once LISTEN is in place and whenever
     * notifications arrived, before they are handed on: raises the target past the notified commits.
     */
    public void feedSynced(Connection listening) throws SQLException {
        if (replicas.isEmpty()) {
            return;
        }
        raise(insertLsn(listening));
        feedLive = true;
    }

    /** The change feed lost its connection: notifications may be missed until {@link #feedSynced}. */
    public void feedLost() {
        feedLive = false;
    }

    private void raise(long lsn) {
        target.accumulateAndGet(recordEnd(lsn), Math::max);
    }

    /**
     * The insert position just past a WAL page header (24 bytes; 40 at a 16 MB segment's start)
     * means the last record ended at the page boundary, and a standby reports that boundary as its
     * replay position: compare with the boundary, or a replica would wait for a record that may not
     * come for seconds on an idle primary.
     */
    static long recordEnd(long lsn) {
        long inPage = lsn % 8192;
        if (inPage == 24 || (lsn % (16 << 20)) == 40) {
            return lsn - inPage;
        }
        return lsn;
    }

    private static long insertLsn(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(INSERT_LSN); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void monitor() {
        while (!closed) {
            try {
                Thread.sleep(PROBE_MS);
            } catch (InterruptedException e) {
                return;
            }
            probeAll();
        }
    }

    private void probeAll() {
        long now = System.nanoTime();
        long primaryLsn = primaryPosition();
        if (primaryLsn >= 0) {
            long blind = blindSince.get();
            if (blind >= 0 && now - blind > 0) {
                raise(primaryLsn); // read after the commit whose position is unknown: past it
                blindSince.compareAndSet(blind, -1);
            }
            history.addLast(new Sample(now, primaryLsn));
            while (history.size() > HISTORY) {
                history.removeFirst();
            }
        }
        for (Replica r : replicas) {
            boolean wasUp = r.up();
            long replay = r.probe();
            if (replay < 0) {
                if (wasUp) {
                    log.warn("replica {} out of rotation", r.name());
                }
                continue;
            }
            long lagBytes = primaryLsn < 0 ? 0 : Math.max(0, primaryLsn - replay);
            r.assess(lagBytes, lagSeconds(replay, now), maxLag);
            if (r.up() != wasUp) {
                log.info("replica {} {}", r.name(), r.up() ? "in rotation" : "out of rotation: lagging");
            }
        }
    }

    /** Age of the oldest sampled primary position past {@code replay}; 0 when it has replayed them all. */
    private double lagSeconds(long replay, long now) {
        for (Sample s : history) {
            if (s.lsn > replay) {
                return (now - s.nanos) / 1e9;
            }
        }
        return 0;
    }

    /** The primary's insert position over the monitor's own connection, or -1 when unreachable. */
    private long primaryPosition() {
        try {
            if (primaryProbe == null || primaryProbe.isClosed()) {
                Properties p = new Properties();
                p.setProperty("user", primaryCfg.user());
                p.setProperty("password", primaryCfg.password());
                p.setProperty("ApplicationName", "novacron-replica-monitor");
                p.setProperty("connectTimeout", "1");
                p.setProperty("socketTimeout", "2");
                primaryProbe = DriverManager.getConnection(primaryCfg.url(), p);
            }
            return insertLsn(primaryProbe);
        } catch (SQLException e) {
            closePrimaryProbe();
            return -1;
        }
    }

    /** For GET /api/v1/admin/db/health: each replica's state, lag and share of reads. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configured", replicas.size());
        if (replicas.isEmpty()) {
            return m;
        }
        double total = primaryServed.count();
        for (Replica r : replicas) {
            total += r.served.count();
        }
        m.put("routing", !feedLive ? "primary only: change feed down"
                : blindSince.get() >= 0 ? "primary only: a commit position is unknown" : "replicas when fresh");
        m.put("primary_reads_served", (long) primaryServed.count());
        m.put("primary_read_share", total == 0 ? 0.0 : primaryServed.count() / total);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Replica r : replicas) {
            list.add(r.status(total));
        }
        m.put("replicas", list);
        return m;
    }

    private void closePrimaryProbe() {
        if (primaryProbe != null) {
            try {
                primaryProbe.close();
            } catch (SQLException ignored) {
                // being replaced
            }
            primaryProbe = null;
        }
    }

    @Override
    public void close() {
        if (replicas.isEmpty()) {
            return;
        }
        closed = true;
        monitor.interrupt();
        try {
            monitor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closePrimaryProbe();
        replicas.forEach(Replica::close);
    }
}
