package io.novacron.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Freshness: the time from an acknowledged write until each read shows it, over many trials.
 * Writes go to one service instance and reads to another on the same database with its cache
 * on (when the run has two), which is the hard case: the reading instance must learn of the
 * change from elsewhere. Each trial polls the reads back to back until all show the write,
 * or gives up after {@link #TIMEOUT_MS} and counts a timeout.
 *
 * <ul>
 *   <li>VM state change ({@code stop} / {@code start} of a running VM): the org's dashboard
 *       {@code by_state} count, and the monitoring list filtered by the new state.</li>
 *   <li>Metric batch (one sample, newer than any): monitoring shows it as the VM's latest, the
 *       raw aggregation query contains it, and the org dashboard's 5-minute CPU average moves.</li>
 * </ul>
 */
public final class Freshness {
    static final long TIMEOUT_MS = 5_000;

    /** Per read, milliseconds from acknowledgement to visibility. */
    public record Result(String write, String read, long trials, long timeouts, double p50, double p99, double max) {
    }

    private record Vm(long orgId, long id, long nodeId) {
    }

    private final HttpTarget writer;
    private final HttpTarget reader;
    private final FleetProfile fleet;

    public Freshness(HttpTarget writer, HttpTarget reader, FleetProfile fleet) {
        this.writer = writer;
        this.reader = reader;
        this.fleet = fleet;
    }

    public List<Result> run(Connection db, int trials) throws Exception {
        // Monitoring lists only VMs that have reported, so both kinds of trial use reporting VMs.
        List<Vm> running = vms(db, """
                SELECT v.org_id, v.id, v.node_id FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id
                WHERE v.state = 'running' ORDER BY v.id LIMIT 200""");
        List<Vm> reporting = vms(db, """
                SELECT v.org_id, v.id, v.node_id FROM vm_latest l JOIN vm v ON v.org_id = l.org_id AND v.id = l.vm_id
                WHERE v.node_id IS NOT NULL ORDER BY v.id LIMIT 200""");
        Map<String, Histogram> seen = new LinkedHashMap<>();
        Map<String, Long> timeouts = new LinkedHashMap<>();
        for (String k : List.of("vm_state_change dashboard", "vm_state_change monitoring", "metric_batch monitoring",
                "metric_batch aggregation", "metric_batch dashboard")) {
            seen.put(k, new Histogram(LatencyRun.MAX_MICROS, 3));
            timeouts.put(k, 0L);
        }
        SplittableRandom r = new SplittableRandom(17);
        for (int t = 0; t < trials && !running.isEmpty(); t++) {
            Vm vm = running.get((t / 2) % running.size());
            String next = t % 2 == 0 ? "stopped" : "running";
            stateTrial(vm, next, seen, timeouts);
        }
        // Whole seconds, each newer than the VM's previous one and never ahead of the clock by more
        // than the rotation allows (the API refuses samples over 10 minutes in the future).
        Map<Long, Long> lastTs = new java.util.HashMap<>();
        for (int t = 0; t < trials && !reporting.isEmpty(); t++) {
            Vm vm = reporting.get(t % reporting.size());
            long ts = Math.max(lastTs.getOrDefault(vm.id, 0L) + 1000, System.currentTimeMillis() / 1000 * 1000);
            lastTs.put(vm.id, ts);
            metricTrial(vm, ts, t % 2 == 0 ? 99.0 - r.nextDouble() : r.nextDouble(), seen, timeouts);
        }
        List<Result> out = new ArrayList<>();
        seen.forEach((k, h) -> {
            String[] p = k.split(" ");
            out.add(new Result(p[0], p[1], h.getTotalCount() + timeouts.get(k), timeouts.get(k),
                    h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
        });
        return out;
    }

    private void stateTrial(Vm vm, String newState, Map<String, Histogram> seen, Map<String, Long> timeouts) throws Exception {
        String token = fleet.org(vm.orgId).token();
        String dash = "/api/v1/dashboard?org_id=" + vm.orgId;
        long before = json(reader.get(dash, token)).path("vms").path("by_state").path(newState).asLong();
        String action = "stopped".equals(newState) ? "stop" : "start";
        writer.post("/api/v1/vms/" + vm.id + "/actions/" + action, token, "{}");
        long ack = System.nanoTime();
        String monitoring = "/api/v1/monitoring/vms?org_id=" + vm.orgId + "&node_id=" + vm.nodeId + "&state=" + newState + "&limit=500";
        poll(ack, seen, timeouts, Map.of(
                "vm_state_change dashboard", () -> json(reader.get(dash, token)).path("vms").path("by_state").path(newState).asLong() == before + 1,
                "vm_state_change monitoring", () -> containsVm(json(reader.get(monitoring, token)), vm.id)));
    }

    private void metricTrial(Vm vm, long ts, double cpu, Map<String, Histogram> seen, Map<String, Long> timeouts) throws Exception {
        String token = fleet.org(vm.orgId).token();
        String dash = "/api/v1/dashboard?org_id=" + vm.orgId;
        JsonNode avgBefore = json(reader.get(dash, token)).path("cpu_usage_avg_5m");
        writer.post("/api/v1/metrics/vms", token, String.format(java.util.Locale.ROOT,
                "{\"samples\":[{\"vm_id\":%d,\"ts\":%d,\"cpu_usage\":%.3f,\"memory_usage\":50,\"disk_read_bps\":1,"
                        + "\"disk_write_bps\":1,\"net_rx_bps\":1,\"net_tx_bps\":1}]}", vm.id, ts, cpu));
        long ack = System.nanoTime();
        String monitoring = "/api/v1/monitoring/vms?org_id=" + vm.orgId + "&node_id=" + vm.nodeId + "&limit=500";
        String query = "/api/v1/metrics/query?scope=vm&id=" + vm.id + "&metric=cpu_usage&step=raw&from="
                + Instant.ofEpochMilli(ts - 60_000) + "&to=" + Instant.ofEpochMilli(ts + 60_000);
        poll(ack, seen, timeouts, Map.of(
                "metric_batch monitoring", () -> latestTs(json(reader.get(monitoring, token)), vm.id) == ts,
                "metric_batch aggregation", () -> hasPoint(json(reader.get(query, token)), ts),
                "metric_batch dashboard", () -> !json(reader.get(dash, token)).path("cpu_usage_avg_5m").equals(avgBefore)));
    }

    interface Check {
        boolean visible() throws Exception;
    }

    private static void poll(long ackNanos, Map<String, Histogram> seen, Map<String, Long> timeouts, Map<String, Check> checks)
            throws Exception {
        Map<String, Check> open = new LinkedHashMap<>(checks);
        while (!open.isEmpty()) {
            long elapsedMicros = (System.nanoTime() - ackNanos) / 1000;
            if (elapsedMicros > TIMEOUT_MS * 1000) {
                open.keySet().forEach(k -> timeouts.merge(k, 1L, Long::sum));
                return;
            }
            for (var it = open.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (e.getValue().visible()) {
                    seen.get(e.getKey()).recordValue(Math.min(LatencyRun.MAX_MICROS, Math.max(1, (System.nanoTime() - ackNanos) / 1000)));
                    it.remove();
                }
            }
        }
    }

    private static JsonNode json(byte[] body) throws java.io.IOException {
        return Json.MAPPER.readTree(body);
    }

    private static long vmId(JsonNode item) {
        return item.has("vm_id") ? item.path("vm_id").asLong() : item.path("id").asLong();
    }

    private static boolean containsVm(JsonNode page, long vmId) {
        for (JsonNode item : page.path("items")) {
            if (vmId(item) == vmId) {
                return true;
            }
        }
        return false;
    }

    /** The VM's latest sample time in a monitoring page (epoch ms), or -1. */
    private static long latestTs(JsonNode page, long vmId) {
        for (JsonNode item : page.path("items")) {
            if (vmId(item) == vmId) {
                JsonNode ts = item.has("latest") ? item.path("latest").path("ts") : item.path("ts");
                return epochMillis(ts);
            }
        }
        return -1;
    }

    private static boolean hasPoint(JsonNode answer, long ts) {
        for (JsonNode series : answer.path("series")) {
            for (JsonNode p : series.path("points")) {
                if (epochMillis(p.path(0)) == ts) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long epochMillis(JsonNode ts) {
        if (ts.isNumber()) {
            return ts.asLong();
        }
        return ts.isTextual() ? Instant.parse(ts.asText()).toEpochMilli() : -1;
    }

    private static List<Vm> vms(Connection c, String sql) throws SQLException {
        List<Vm> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(new Vm(rs.getLong(1), rs.getLong(2), rs.getLong(3)));
            }
        }
        return out;
    }
}
