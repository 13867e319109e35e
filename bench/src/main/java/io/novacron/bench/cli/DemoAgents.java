package io.novacron.bench.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.bench.IngestClient;
import io.novacron.web.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's agents: what the hypervisors' collectors would send, so that every page of the
 * console moves. {@link #seedHistory} back-fills {@code days} of one-a-minute samples for every VM
 * and node of the demo fleet through the ingestion API (the rollup tiers catch up in the
 * background, and queries are exact meanwhile); {@link #start} then sends a sample for every
 * running VM and every node each {@code period}, and now and then stops, starts, pauses or
 * resumes a VM through the actions API.
 *
 * <p>Values are a smooth function of (series, time) plus a little noise, so the history and the
 * live stream join without a step: a daily wave around a per-series level. Everything goes
 * through the public API with the demo's tokens, exactly as a client would.
 */
final class DemoAgents implements AutoCloseable {
    static final Duration HISTORY_STEP = Duration.ofMinutes(1);
    private static final int BATCH = 20_000;

    private final Demo.Client admin;
    private final Demo.Client org;
    private final IngestClient adminIngest;
    private final IngestClient orgIngest;
    private final PrintStream out;
    private final Random random = new Random(42);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "demo-agents");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;
    private long ticks;
    private List<long[]> nodes = List.of();

    DemoAgents(Demo.Client admin, Demo.Client org, PrintStream out) {
        this.admin = admin;
        this.org = org;
        this.adminIngest = new IngestClient(admin.base(), admin.token());
        this.orgIngest = new IngestClient(org.base(), org.token());
        this.out = out;
    }

    /** Back-fills {@code days} of history unless the organization already has samples in that span. */
    void seedHistory(int days, Instant now) throws IOException, InterruptedException {
        Instant to = now.truncatedTo(ChronoUnit.MINUTES);
        Instant from = to.minus(Duration.ofDays(days));
        JsonNode counts = org.send("GET", "/api/v1/metrics/query?scope=org&metric=cpu_usage&agg=count&step=1d&from="
                + from + "&to=" + to, null);
        for (JsonNode s : counts.path("series")) {
            if (!s.path("points").isEmpty()) {
                return;
            }
        }
        List<Long> vms = new ArrayList<>(vms().keySet());
        List<long[]> nodes = nodes();
        long sent = 0;
        List<Map<String, Object>> batch = new ArrayList<>();
        for (long vm : vms) {
            for (Instant t = from; t.isBefore(to); t = t.plus(HISTORY_STEP)) {
                batch.add(vmSample(vm, t));
                if (batch.size() == BATCH) {
                    sent += post(orgIngest, "/api/v1/metrics/vms", batch);
                }
            }
        }
        sent += post(orgIngest, "/api/v1/metrics/vms", batch);
        for (long[] node : nodes) {
            for (Instant t = from; t.isBefore(to); t = t.plus(HISTORY_STEP)) {
                batch.add(nodeSample(node, t));
                if (batch.size() == BATCH) {
                    sent += post(adminIngest, "/api/v1/metrics/nodes", batch);
                }
            }
        }
        sent += post(adminIngest, "/api/v1/metrics/nodes", batch);
        out.printf("demo: seeded %,d samples of history: %d VMs and %d nodes, one a minute over %d day(s)%n", sent, vms.size(), nodes.size(), days);
    }

    /** Sends live samples every {@code period} and changes a VM's state about every {@code actionEvery} periods. */
    void start(Duration period, int actionEvery) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                tick(actionEvery);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    out.println("demo agent: " + e.getMessage());
                }
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick(int actionEvery) throws IOException, InterruptedException {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Map<Long, String> vms = vms();
        List<Map<String, Object>> samples = new ArrayList<>();
        vms.forEach((id, state) -> {
            if (state.equals("running")) {
                samples.add(vmSample(id, now));
            }
        });
        post(orgIngest, "/api/v1/metrics/vms", samples);
        List<Map<String, Object>> nodeSamples = new ArrayList<>();
        if (ticks % 12 == 0) {
            nodes = nodes(); // VMs move between nodes now and then
        }
        for (long[] node : nodes) {
            nodeSamples.add(nodeSample(node, now));
        }
        post(adminIngest, "/api/v1/metrics/nodes", nodeSamples);
        if (++ticks % actionEvery == 0) {
            changeOneVm(vms);
        }
    }

    /** Keeps most of the fleet running: below 60 % it starts a VM, otherwise it picks one at random. */
    private void changeOneVm(Map<Long, String> vms) throws IOException, InterruptedException {
        List<Long> ids = new ArrayList<>(vms.keySet());
        if (ids.isEmpty()) {
            return;
        }
        long running = vms.values().stream().filter("running"::equals).count();
        long id = ids.get(random.nextInt(ids.size()));
        if (running < 0.6 * ids.size()) {
            id = ids.stream().filter(v -> !vms.get(v).equals("running")).findFirst().orElse(id);
        }
        String action = switch (vms.get(id)) {
            case "running" -> random.nextInt(4) == 0 ? "pause" : random.nextInt(3) == 0 ? "reboot" : "stop";
            case "paused" -> "resume";
            case "stopped", "pending" -> "start";
            default -> null;
        };
        if (action != null) {
            JsonNode vm = org.send("POST", "/api/v1/vms/" + id + "/actions/" + action, null);
            out.printf("demo agent: %s %s -> %s%n", action, vm.path("name").asText("vm " + id), vm.path("state").asText("?"));
        }
    }

    private long post(IngestClient client, String path, List<Map<String, Object>> batch) throws IOException, InterruptedException {
        if (batch.isEmpty()) {
            return 0;
        }
        IngestClient.Ack ack = client.post(path, Json.MAPPER.writeValueAsBytes(Map.of("samples", batch)));
        batch.clear();
        return ack.accepted();
    }

    /** The organization's VMs (id → state), all pages. */
    private Map<Long, String> vms() throws IOException, InterruptedException {
        Map<Long, String> vms = new LinkedHashMap<>();
        String cursor = null;
        do {
            JsonNode page = org.send("GET", "/api/v1/vms?limit=500&sort=name" + (cursor == null ? "" : "&cursor=" + cursor), null);
            for (JsonNode v : page.path("items")) {
                vms.put(v.get("id").asLong(), v.get("state").asText());
            }
            cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        return vms;
    }

    /** The nodes hosting the organization's VMs ({id, cpu_cores}), as the admin sees them. */
    private List<long[]> nodes() throws IOException, InterruptedException {
        java.util.Set<Long> hosting = new java.util.TreeSet<>();
        String cursor = null;
        do {
            JsonNode page = org.send("GET", "/api/v1/vms?limit=500&sort=name" + (cursor == null ? "" : "&cursor=" + cursor), null);
            for (JsonNode v : page.path("items")) {
                if (v.path("node_id").canConvertToLong()) {
                    hosting.add(v.get("node_id").asLong());
                }
            }
            cursor = page.path("next_cursor").isTextual() ? page.get("next_cursor").asText() : null;
        } while (cursor != null);
        List<long[]> nodes = new ArrayList<>();
        for (long id : hosting) {
            nodes.add(new long[] {id, admin.send("GET", "/api/v1/nodes/" + id, null).path("cpu_cores").asLong(1)});
        }
        return nodes;
    }

    static Map<String, Object> vmSample(long vm, Instant t) {
        double cpu = wave(vm, t, 15 + (vm * 37 % 55), 18);
        double mem = wave(vm * 7 + 3, t, 30 + (vm * 53 % 50), 6);
        SplittableRandom noise = new SplittableRandom(vm * 1_000_003L + t.getEpochSecond());
        double io = cpu / 100;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("vm_id", vm);
        s.put("ts", t.toString());
        s.put("cpu_usage", cpu);
        s.put("memory_usage", mem);
        s.put("disk_read_bps", Math.round(io * 40e6 * noise.nextDouble(0.5, 1.5)));
        s.put("disk_write_bps", Math.round(io * 25e6 * noise.nextDouble(0.5, 1.5)));
        s.put("net_rx_bps", Math.round(io * 80e6 * noise.nextDouble(0.5, 1.5)));
        s.put("net_tx_bps", Math.round(io * 60e6 * noise.nextDouble(0.5, 1.5)));
        return s;
    }

    static Map<String, Object> nodeSample(long[] node, Instant t) {
        long id = node[0];
        double cpu = wave(id * 101, t, 35 + (id * 29 % 30), 15);
        SplittableRandom noise = new SplittableRandom(id * 7_000_001L + t.getEpochSecond());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node_id", id);
        s.put("ts", t.toString());
        s.put("cpu_usage", cpu);
        s.put("memory_usage", wave(id * 13 + 1, t, 50 + (id * 17 % 30), 5));
        s.put("disk_usage", Math.min(95, 30 + id * 7 % 40 + (t.getEpochSecond() % 86_400) / 86_400.0 * 2));
        s.put("load_1m", Math.round(cpu / 100 * node[1] * noise.nextDouble(0.8, 1.2) * 100) / 100.0);
        s.put("net_rx_bps", Math.round(cpu * 4e6 * noise.nextDouble(0.5, 1.5)));
        s.put("net_tx_bps", Math.round(cpu * 3e6 * noise.nextDouble(0.5, 1.5)));
        return s;
    }

    /** A percentage: level + a daily wave (phase by series) + noise of a few points, kept in 0..100. */
    private static double wave(long series, Instant t, double level, double amplitude) {
        double day = (t.getEpochSecond() % 86_400) / 86_400.0;
        double phase = (series * 0.137) % 1.0;
        double noise = new SplittableRandom(series * 31L + t.getEpochSecond()).nextDouble(-4, 4);
        double v = level + amplitude * Math.sin(2 * Math.PI * (day + phase)) + noise;
        return Math.round(Math.max(0, Math.min(100, v)) * 100) / 100.0;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
    }
}
