package io.novacron.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A second opinion on read latency: the same kind of draws as {@link LatencyRun}, sent by
 * {@code wrk} (a separate native process with its own event loop) at the same number of
 * connections, closed loop.
 *
 * <p>wrk replays a fixed list: {@link #DRAWS} requests drawn up front are written into a Lua
 * script that cycles through them, each with its own {@code Authorization} header. wrk cannot
 * follow a listing's cursors, so a VM listing is measured on its first page only. The script's
 * {@code done} prints the figures as {@code novacron-wrk <key> <value>} lines, so nothing depends
 * on wrk's human-readable output.
 */
public final class WrkRun {
    /** Requests drawn per run; wrk cycles through them (cache off, a repeat still reaches the database). */
    static final int DRAWS = 5_000;
    /**
     * wrk's thrown-away first run: opens the connections and lets the server start threads for
     * them. One second is enough because the JIT and the database have already served the same
     * reads to the project's client; wrk's {@code -d} counts whole seconds.
     */
    static final Duration WARMUP = Duration.ofSeconds(1);
    /** What the script's {@code done} starts its lines with. */
    private static final String PREFIX = "novacron-wrk ";

    /**
     * Latencies in milliseconds (wrk's histogram, microsecond resolution); {@code non2xx3xx}: answers
     * with a status of 400 or more (wrk's {@code errors.status}); {@code socketErrors}: connect, read,
     * write errors and timeouts (10 s).
     */
    public record Result(double p50, double p90, double p99, double p999, double max, long requests, double requestsPerSecond,
                         double seconds, long non2xx3xx, long socketErrors) {
    }

    private final String baseUrl;
    private final String adminToken;
    private final Workloads workloads;
    private final Duration duration;

    /** @param duration measured time per run, whole seconds (wrk's granularity), at least one */
    public WrkRun(String baseUrl, String adminToken, Workloads workloads, Duration duration) {
        this.baseUrl = baseUrl;
        this.adminToken = adminToken;
        this.workloads = workloads;
        this.duration = duration;
    }

    /** {@code wrk} on the PATH, or null. */
    public static Path executable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "wrk");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * A warm-up run, then the measured run, of {@code workload} at {@code concurrency} connections;
     * null when wrk is not installed. A wrk that fails or prints no figures throws.
     */
    public Result run(String workload, int concurrency, long seed) throws IOException, InterruptedException {
        Path wrk = executable();
        if (wrk == null) {
            return null;
        }
        // The first draws of the project client's first thread (LatencyRun seeds thread t with Streams.of(seed, t)).
        SplittableRandom r = Streams.of(seed, 0);
        List<Request> draws = new ArrayList<>(DRAWS);
        for (int i = 0; i < DRAWS; i++) {
            draws.add(workloads.draw(workload, r));
        }
        // wrk refuses fewer connections than threads; two at most, one per core of the 2-core bench machine.
        int threads = Math.min(2, concurrency);
        Path dir = Files.createTempDirectory("novacron-wrk");
        Path script = dir.resolve("requests.lua");
        try {
            Files.writeString(script, script(draws, adminToken, threads), StandardCharsets.UTF_8);
            invoke(wrk, dir, script, threads, concurrency, WARMUP);
            return parse(invoke(wrk, dir, script, threads, concurrency, duration));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /** Runs wrk to its end; its output (stdout and stderr) goes to a file, so a hung wrk cannot block the read. */
    private String invoke(Path wrk, Path dir, Path script, int threads, int connections, Duration d)
            throws IOException, InterruptedException {
        long secs = Math.max(1, (d.toMillis() + 999) / 1000);
        Path out = dir.resolve("out.txt");
        List<String> cmd = List.of(wrk.toString(), "-t" + threads, "-c" + connections, "-d" + secs + "s", "--timeout", "10s",
                "-s", script.toString(), baseUrl);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(secs + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + ": still running " + (secs + 30) + " s after it started");
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text.strip());
        }
        return text;
    }

    /**
     * The Lua script: the draws as two arrays (path, Authorization header), a per-thread position
     * (every thread has its own Lua state) started at its own share of the list so threads do
     * not send the same request in step, and a {@code done} that prints the figures.
     */
    static String script(List<Request> draws, String adminToken, int threads) {
        StringBuilder s = new StringBuilder(draws.size() * 240);
        s.append("-- Generated by the NovaCron bench (WrkRun): ").append(draws.size()).append(" drawn requests.\n");
        s.append("local paths = {\n");
        for (Request r : draws) {
            s.append(luaString(r.path())).append(",\n");
        }
        s.append("}\nlocal auths = {\n");
        for (Request r : draws) {
            s.append(luaString("Bearer " + (r.token() == null ? adminToken : r.token()))).append(",\n");
        }
        s.append("}\n");
        s.append("local started = 0\n");
        s.append("\n-- setup runs in the main Lua state, once per thread before its init: hands each thread its number.\n");
        s.append("function setup(thread)\n  thread:set(\"number\", started)\n  started = started + 1\nend\n");
        s.append("\nfunction init(args)\n  position = number * math.floor(#paths / ").append(threads).append(")\nend\n");
        s.append("\nfunction request()\n  position = position % #paths + 1\n");
        s.append("  return wrk.format(\"GET\", paths[position], { [\"Authorization\"] = auths[position] })\nend\n");
        s.append("""

                function done(summary, latency, requests)
                  local e = summary.errors
                  local figures = {
                    { "p50_us", latency:percentile(50) }, { "p90_us", latency:percentile(90) },
                    { "p99_us", latency:percentile(99) }, { "p999_us", latency:percentile(99.9) }, { "max_us", latency.max },
                    { "requests", summary.requests }, { "duration_us", summary.duration },
                    { "errors_connect", e.connect }, { "errors_read", e.read }, { "errors_write", e.write },
                    { "errors_status", e.status }, { "errors_timeout", e.timeout },
                  }
                  for _, f in ipairs(figures) do
                    io.write(string.format("novacron-wrk %s %.0f\\n", f[1], f[2]))
                  end
                end
                """);
        return s.toString();
    }

    /**
     * A double-quoted Lua string literal of {@code s}'s UTF-8 bytes: quote and backslash escaped,
     * control characters and every non-ASCII byte as a three-digit decimal escape (three digits,
     * so a digit after it cannot join it), the rest as is.
     */
    static String luaString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xFF;
            if (c == '"' || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c < 0x20 || c >= 0x7F) {
                b.append('\\').append(String.format("%03d", c));
            } else {
                b.append((char) c);
            }
        }
        return b.append('"').toString();
    }

    /** The {@code novacron-wrk} lines of wrk's output as a result; missing figures throw. */
    static Result parse(String output) throws IOException {
        Map<String, Long> f = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith(PREFIX)) {
                String[] kv = line.substring(PREFIX.length()).trim().split(" ");
                f.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        List<String> keys = List.of("p50_us", "p90_us", "p99_us", "p999_us", "max_us", "requests", "duration_us",
                "errors_connect", "errors_read", "errors_write", "errors_status", "errors_timeout");
        if (!f.keySet().containsAll(keys)) {
            throw new IOException("wrk printed no figures (its script's done() did not run): " + output.strip());
        }
        double seconds = f.get("duration_us") / 1e6;
        return new Result(f.get("p50_us") / 1000.0, f.get("p90_us") / 1000.0, f.get("p99_us") / 1000.0, f.get("p999_us") / 1000.0,
                f.get("max_us") / 1000.0, f.get("requests"), f.get("requests") / Math.max(1e-9, seconds), seconds,
                f.get("errors_status"), f.get("errors_connect") + f.get("errors_read") + f.get("errors_write") + f.get("errors_timeout"));
    }
}
