package io.novacron.metrics.agents;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real Prometheus (Debian's 2.42) scrapes a real node_exporter on loopback, evaluates the
 * shipped recording rules and remote-writes them to the service: this machine's own CPU and memory
 * must appear in the metrics query and node monitoring, within a bounded wait.
 *
 * <p>Both run on free ports in a temporary directory, started and stopped here; .ci/run installs
 * the packages. Without them the test is skipped on a developer machine and fails under CI.
 */
class PrometheusEndToEndTest {
    @RegisterExtension
    static final TestApp service = new TestApp(PrometheusEndToEndTest.class);
    static final Duration WAIT = Duration.ofSeconds(120);
    static Path dir;
    static final List<Process> processes = new ArrayList<>();
    static long node;

    @BeforeAll
    static void start() throws Exception {
        String prometheus = binary("prometheus");
        String exporter = binary("prometheus-node-exporter");
        dir = Files.createTempDirectory("novacron-prom-e2e");
        int exporterPort = freePort(), promPort = freePort();
        processes.add(run(dir.resolve("node-exporter.log"), exporter, "--web.listen-address=127.0.0.1:" + exporterPort,
                "--collector.disable-defaults", "--collector.cpu", "--collector.meminfo", "--collector.filesystem",
                "--collector.loadavg", "--collector.netdev"));

        Http.Response n = service.admin().post("/api/v1/nodes", Map.of("name", "this-machine", "zone", "z1",
                "cpu_cores", 64, "memory_mb", 262144, "disk_gb", 10000));
        assertThat(n.status()).as(n.toString()).isEqualTo(201);
        node = n.json().get("id").asLong();

        String rules;
        try (InputStream in = PrometheusEndToEndTest.class.getResourceAsStream("/prometheus/novacron-node.rules.yml")) {
            rules = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The shipped rules, evaluated every second instead of every minute so that the test is short.
        assertThat(rules).contains("interval: 60s");
        Files.writeString(dir.resolve("novacron-node.rules.yml"), rules.replace("interval: 60s", "interval: 1s"));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ["%s"]
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                        labels:
                          novacron_node_id: "%d"
                remote_write:
                  - url: "%s/api/v1/prom/write"
                    authorization:
                      credentials: "%s"
                    write_relabel_configs:
                      - source_labels: [__name__]
                        regex: "novacron:.*"
                        action: keep
                    queue_config:
                      batch_send_deadline: 1s
                      min_backoff: 100ms
                      max_backoff: 1s
                """.formatted(dir.resolve("novacron-node.rules.yml"), exporterPort, node, service.baseUrl(), TestApp.ADMIN_TOKEN));
        processes.add(run(dir.resolve("prometheus.log"), prometheus, "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort));
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void thisMachinesCpuAndMemoryArriveThroughPrometheus() throws Exception {
        Http admin = service.admin();
        JsonNode item = null;
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            for (Process p : processes) {
                assertThat(p.isAlive()).as("a process exited early; logs in " + dir).isTrue();
            }
            JsonNode items = admin.get("/api/v1/monitoring/nodes?node_id=" + node).json().path("items");
            if (items.size() == 1 && items.get(0).hasNonNull("cpu_usage") && items.get(0).hasNonNull("memory_usage")
                    && rowsWith("cpu_usage") > 0 && rowsWith("memory_usage") > 0) {
                item = items.get(0);
                break;
            }
            Thread.sleep(500);
        }
        assertThat(item).as("no node sample with cpu and memory within " + WAIT + "; logs: " + logs()).isNotNull();
        double memory = item.get("memory_usage").asDouble();
        assertThat(item.get("cpu_usage").asDouble()).isBetween(0.0, 100.0);
        // node_exporter reads /proc/meminfo; the rule is 100 * (1 - MemAvailable / MemTotal).
        assertThat(memory).isCloseTo(memoryUsageNow(), org.assertj.core.data.Offset.offset(10.0)).isGreaterThan(0.0);

        Instant now = Instant.now();
        Http.Response q = admin.get("/api/v1/metrics/query?scope=node&id=" + node + "&metric=cpu_usage&metric=memory_usage&step=raw&from="
                + now.minus(Duration.ofMinutes(10)) + "&to=" + now.plus(Duration.ofMinutes(1)));
        assertThat(q.status()).as(q.toString()).isEqualTo(200);
        for (JsonNode series : q.json().path("series")) {
            assertThat(series.path("points").size()).as(series.path("metric").asText()).isPositive();
            for (JsonNode point : series.path("points")) {
                assertThat(point.get(1).asDouble()).isBetween(0.0, 100.0);
            }
        }
        // Only the recording rules' series were sent (write_relabel_configs), and all of them map.
        assertThat(admin.get("/metrics").body()).doesNotContain("novacron_prom_write_series_total{result=\"unmapped\"} 1");
    }

    private static long rowsWith(String metric) throws Exception {
        try (var c = service.database().connect(); var ps = c.prepareStatement(
                "SELECT count(*) FROM node_metrics WHERE node_id = ? AND " + metric + " IS NOT NULL")) {
            ps.setLong(1, node);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static double memoryUsageNow() throws IOException {
        long total = 0, available = 0;
        for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
            String[] f = line.split("\\s+");
            if (f[0].equals("MemTotal:")) {
                total = Long.parseLong(f[1]);
            } else if (f[0].equals("MemAvailable:")) {
                available = Long.parseLong(f[1]);
            }
        }
        return 100.0 * (1 - (double) available / total);
    }

    private static String logs() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("prometheus.log", "node-exporter.log")) {
            List<String> lines = Files.readAllLines(dir.resolve(f));
            sb.append("\n--- ").append(f).append(" (last 30 lines)\n")
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
        }
        return sb.toString();
    }

    private static Process run(Path log, String... command) throws IOException {
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The installed binary, or: skipped on a developer machine, failed under CI (.ci/run installs it). */
    private static String binary(String name) {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        if (System.getenv("CI") != null) {
            throw new IllegalStateException(name + " is not installed; .ci/run installs it with apt-get");
        }
        Assumptions.abort(name + " is not installed (apt-get install prometheus prometheus-node-exporter)");
        return null;
    }
}
