package io.novacron.faults;

import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The service as a user runs it: {@code java -jar target/novacron.jar serve}, configured by
 * environment variables, on its own port, its output in {@code target/faults/<name>.log}.
 * {@link #kill9} is SIGKILL (no shutdown hook, no draining): what a crash or the OOM killer does.
 */
final class ServiceProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("novacron.jar", "../target/novacron.jar")).toAbsolutePath();
    static final Path LOGS = Path.of("target", "faults");

    private final String name;
    private final Map<String, String> env;
    private final int port;
    private Process process;
    private int starts;

    ServiceProcess(String name, String dbUrl, Map<String, String> extraEnv) {
        this.name = name;
        this.port = freePort();
        this.env = new java.util.HashMap<>(Map.of(
                "NOVACRON_DB_URL", dbUrl,
                "NOVACRON_DB_USER", "postgres",
                "NOVACRON_PORT", Integer.toString(port),
                "NOVACRON_ADMIN_TOKEN", TestApp.ADMIN_TOKEN,
                "NOVACRON_DB_POOL_SIZE", "6",
                "NOVACRON_ACCESS_LOG", "WARN",
                // The suite checks acknowledged samples as raw rows, and its loads lie hours back:
                // packing stays off here (its own kill-mid-move safety is HistoryPackerTest's).
                "NOVACRON_PACK_AFTER_MINUTES", "0"));
        this.env.putAll(extraEnv);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the process and waits until {@code /readyz} answers 200 (database migrated and reachable). */
    ServiceProcess start() throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException("no service jar at " + JAR + " (the fault suite runs after `package`)");
        }
        Files.createDirectories(LOGS);
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-jar", JAR.toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + ".log").toFile()));
        pb.environment().putAll(env);
        process = pb.start();
        starts++;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Http anon = new Http(baseUrl(), null);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + LOGS.resolve(name + ".log"));
            }
            try {
                if (anon.get("/readyz").status() == 200) {
                    return this;
                }
            } catch (RuntimeException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not become ready in 90 s");
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    int starts() {
        return starts;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    Http admin() {
        return new Http(baseUrl(), TestApp.ADMIN_TOKEN);
    }

    Http as(String token) {
        return new Http(baseUrl(), token);
    }

    private static String javaBin() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** A graceful stop (SIGTERM: the service's shutdown hook closes it). */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
