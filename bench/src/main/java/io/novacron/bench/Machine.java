package io.novacron.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The machine, JVM, PostgreSQL settings and source revision a report was measured on. */
public record Machine(int cores, double memoryGib, String os, String java, String postgres, Map<String, String> settings,
                      String commit) {
    /**
     * The PostgreSQL settings that move these figures most. huge_pages: without them each new
     * backend faulted in every 4 kB of shared_buffers it touched (on this VM ~45 us per 8 kB
     * buffer: a first scan of 209 cached pages took 9-15 ms, the next 0.7); "on" means in use.
     */
    static final List<String> SETTINGS = List.of("shared_buffers", "huge_pages", "effective_cache_size", "work_mem", "maintenance_work_mem",
            "max_wal_size", "checkpoint_timeout", "synchronous_commit", "wal_compression", "random_page_cost", "jit",
            "max_connections", "max_parallel_workers_per_gather", "autovacuum");

    /** @param commit the source revision, taken when the run started ({@link #gitCommit()}) */
    public static Machine describe(Connection c, String commit) throws SQLException {
        Map<String, String> settings = new LinkedHashMap<>();
        String version;
        try (Statement st = c.createStatement()) {
            for (String s : SETTINGS) {
                try (ResultSet rs = st.executeQuery("SHOW " + s)) { // names from the fixed list above
                    rs.next();
                    settings.put(s, rs.getString(1));
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                version = rs.getString(1);
            }
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), totalMemoryGib(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), version, settings, commit);
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "n/a". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    private static double totalMemoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: fall through to the JVM's view
        }
        return Runtime.getRuntime().maxMemory() / 1024.0 / 1024.0 / 1024.0;
    }

    /** {@code git describe}-like: short commit, "-dirty" when the work tree has changes; "unknown" outside git. */
    public static String gitCommit() {
        try {
            String head = run("git", "rev-parse", "--short=12", "HEAD");
            String status = run("git", "status", "--porcelain", "--untracked-files=no");
            return head.isEmpty() ? "unknown" : head + (status.isEmpty() ? "" : "-dirty");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return "";
        }
        return out;
    }
}
