package io.novacron.cache;

import io.novacron.config.ServiceConfig;
import io.novacron.db.ReplicaRouter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@code novacron_changes} over one dedicated connection (outside the pool) and
 * reports each payload (a scope, see {@link Scope#fromPayload}, or {@code tokens}). Whoever
 * commits an inventory, token or metric change sends the notification in the same transaction
 * (triggers, ingest), so it arrives after the commit, on every instance.
 *
 * <p>Invariant: while {@link #live()} is false, notifications may be missed, so callers must not
 * serve cached answers. After every (re)connect, {@code onLost} runs once LISTEN is in place and
 * before {@code live()} turns true: everything cached before that moment is void. A silent network
 * failure is caught by a probe query after {@link #PROBE_MS} of quiet and the socket timeout.
 */
final class ChangeFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    static final String CHANNEL = "novacron_changes";
    private static final int POLL_MS = 250;
    private static final int PROBE_MS = 2000;
    private static final long RETRY_MS = 500;

    private final ServiceConfig.Database db;
    private final Consumer<String> onChange;
    private final Runnable onLost;
    private final ReplicaRouter replicas;
    private final Thread thread;
    private volatile boolean live;
    private volatile boolean closed;
    private volatile Connection current;

    ChangeFeed(ServiceConfig.Database db, Consumer<String> onChange, Runnable onLost, ReplicaRouter replicas) {
        this.db = db;
        this.onChange = onChange;
        this.onLost = onLost;
        this.replicas = replicas;
        this.thread = new Thread(this::run, "novacron-change-feed");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** True while LISTEN is active and nothing can have been missed since the last {@code onLost}. */
    boolean live() {
        return live;
    }

    private void run() {
        while (!closed) {
            try (Connection c = connect()) {
                current = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                onLost.run();
                replicas.feedSynced(c); // commits missed while the feed was down are now in its target
                live = true;
                log.info("listening on {}", CHANNEL);
                pump(c);
            } catch (SQLException e) {
                if (!closed) {
                    log.warn("change feed lost ({}); cached reads bypassed until it is back", e.getMessage());
                }
            } finally {
                live = false;
                replicas.feedLost();
                current = null;
                onLost.run();
            }
            sleepQuietly(RETRY_MS);
        }
    }

    private void pump(Connection c) throws SQLException {
        PGConnection pg = c.unwrap(PGConnection.class);
        long quietSince = System.nanoTime();
        while (!closed) {
            PGNotification[] batch = pg.getNotifications(POLL_MS);
            if (batch != null && batch.length > 0) {
                // Before the cache hears of these commits, the replica router's target passes them.
                replicas.feedSynced(c);
                for (PGNotification n : batch) {
                    onChange.accept(n.getParameter());
                }
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > PROBE_MS * 1_000_000L) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT 1"); // a dead server or network shows up here
                }
                quietSince = System.nanoTime();
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", db.user());
        p.setProperty("password", db.password());
        p.setProperty("ApplicationName", "novacron-change-feed");
        p.setProperty("connectTimeout", "2");
        p.setProperty("socketTimeout", "5");
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(db.url(), p);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        live = false;
        Connection c = current;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing to wake the thread; it is going away either way
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
