package io.novacron.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL hot standby of the local server for one test class, on its own port: created
 * by {@code .ci/replica.sh up} (pg_createcluster + pg_basebackup -R) before the class and dropped
 * after it. Register as a static {@code @RegisterExtension} ordered before the {@link TestApp}.
 *
 * <p>It needs root or the postgres user and Debian's postgresql-common; where those are missing
 * the class is skipped, unless {@code NOVACRON_TEST_REPLICA=require} (set by {@code .ci/run}),
 * which turns that into a failure.
 */
public final class StreamingReplica implements BeforeAllCallback, AfterAllCallback {
    private static final Path SCRIPT = findScript();

    private final String name = ("novacron_replica_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 40))
            .toLowerCase(Locale.ROOT);
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        boolean required = "require".equals(System.getenv("NOVACRON_TEST_REPLICA"));
        String why = SCRIPT == null ? ".ci/replica.sh not found" : run(List.of("check"), false);
        if (why != null) {
            if (required) {
                throw new IllegalStateException("NOVACRON_TEST_REPLICA=require but no replica can be made: " + why);
            }
            Assumptions.abort("no streaming replica on this machine: " + why);
        }
        port = freePort();
        Runtime.getRuntime().addShutdownHook(new Thread(this::dropQuietly)); // a killed run leaves nothing
        String failure = run(List.of("up", name, Integer.toString(port)), true);
        if (failure != null) {
            throw new IllegalStateException("replica.sh up failed: " + failure);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        dropQuietly();
    }

    public int port() {
        return port;
    }

    /** JDBC URL of {@code database} on the replica. */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(url(database), FreshDatabase.USER, "");
    }

    /** The standby's pg_stat_wal_receiver and replay position, for a failure message. */
    public String walReceiver() {
        try (Connection c = connect("postgres"); var st = c.createStatement();
             var rs = st.executeQuery("SELECT coalesce((SELECT status || ' ' || coalesce(latest_end_lsn::text, '')"
                     + " FROM pg_stat_wal_receiver), 'no receiver') || ', replayed ' || pg_last_wal_replay_lsn()")) {
            return rs.next() ? rs.getString(1) : "?";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    public void stop() {
        requireOk(run(List.of("stop", name), true));
    }

    public void start() {
        requireOk(run(List.of("start", name), true));
    }

    private void dropQuietly() {
        if (port != 0) {
            run(List.of("down", name), true);
        }
    }

    private static void requireOk(String failure) {
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /** Runs the script; null on success, else its output. */
    private static String run(List<String> args, boolean echo) {
        try {
            var cmd = new java.util.ArrayList<String>();
            cmd.add(SCRIPT.toString());
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out: " + out;
            }
            if (echo && !out.isBlank()) {
                System.out.print(out);
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out.strip();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path findScript() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(".ci/replica.sh");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
