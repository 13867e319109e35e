package io.novacron.faults;

import io.novacron.cache.TcpProxy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.FreshDatabase;
import io.novacron.support.Http;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fault suite: the service as a real process from the built jar, under the faults of
 * docs/FAULTS.md, each checked against what it acknowledged. Quick by default (a few minutes, run
 * by {@code mvn verify} through failsafe after the jar is shaded); {@code -Dnovacron.faults.long=true}
 * (or {@code NOVACRON_FAULTS_LONG=1}) runs more kill cycles, a longer outage and a 10-minute soak.
 * Figures go to {@code service/target/faults/REPORT.md}. Timings are reported, never asserted: the
 * contract's recovery within 5 s after the database returns is reported beside the figure measured
 * (a shared CI machine's load must not turn a slow second into a red build); that recovery
 * happens at all, without a restart, is asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
    static final boolean LONG = Boolean.getBoolean("novacron.faults.long") || "1".equals(System.getenv("NOVACRON_FAULTS_LONG"));
    static final int KILL_CYCLES = LONG ? 5 : 2;
    static final long RUN_BEFORE_KILL_MS = LONG ? 12_000 : 4_000;
    static final int OUTAGE_SECONDS = LONG ? 10 : 6;
    static final int SOAK_SECONDS = LONG ? 600 : 60;

    @RegisterExtension
    static final FreshDatabase db = new FreshDatabase(FaultSuiteIT.class);
    static final List<String> report = Collections.synchronizedList(new ArrayList<>());
    static final AtomicLong faults = new AtomicLong();
    static ServiceProcess s1;
    static long org;
    static String token;
    static long user;
    static long node;

    @BeforeAll
    static void start() throws Exception {
        s1 = new ServiceProcess("s1", db.url(), Map.of()).start();
        Http admin = s1.admin();
        org = admin.post("/api/v1/orgs", Map.of("name", "faults")).json().get("id").asLong();
        token = admin.post("/api/v1/orgs/" + org + "/tokens", Map.of("name", "t")).json().get("token").asText();
        user = s1.as(token).post("/api/v1/users", Map.of("email", "ops@faults.example", "name", "Ops", "role", "admin")).json().get("id").asLong();
        node = admin.post("/api/v1/nodes", Map.of("name", "hv-big", "zone", "z1", "cpu_cores", 4096, "memory_mb", 1L << 30,
                "disk_gb", 1L << 30)).json().get("id").asLong();
        report.add("# Fault suite report\n\nmode: " + (LONG ? "long" : "quick") + ", started " + Instant.now() + ", jar " + ServiceProcess.JAR
                + "\n\nPostgreSQL: the shared local cluster (autovacuum as configured there); 2-core shared machine.\n");
    }

    @AfterAll
    static void finish() throws Exception {
        if (s1 != null) {
            s1.close();
        }
        report.add("\nfaults injected: " + faults.get());
        String text = String.join("\n", report) + "\n";
        Files.createDirectories(ServiceProcess.LOGS);
        Files.writeString(ServiceProcess.LOGS.resolve("REPORT.md"), text);
        System.out.println(text);
    }

    static List<Long> vms(Http http, int n, String prefix) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Http.Response r = http.post("/api/v1/vms", Map.of("name", prefix + "-" + i, "owner_id", user, "cpu_cores", 1,
                    "memory_mb", 512, "disk_gb", 5, "node_id", node));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            ids.add(r.json().get("id").asLong());
        }
        return ids;
    }

    static Thread loop(String name, AtomicBoolean stop, Runnable body) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                body.run();
            }
        }, name);
        t.start();
        return t;
    }

    static void joinAll(List<Thread> threads) throws InterruptedException {
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    /** Per batch sequence number, the raw rows stored for the load's VMs from its base time on. */
    static Map<Integer, Long> storedPerBatch(Connection c, Load load) throws Exception {
        Map<Integer, Long> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT floor(extract(epoch FROM ts - ?::timestamptz) / ?)::int, count(*) FROM vm_metrics
                WHERE org_id = ? AND vm_id = ANY(?) AND ts >= ?::timestamptz GROUP BY 1""")) {
            ps.setString(1, load.base.toString());
            ps.setInt(2, load.secondsPerBatch);
            ps.setLong(3, org);
            ps.setArray(4, c.createArrayOf("bigint", load.vms.toArray()));
            ps.setString(5, load.base.toString());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Acknowledged batches all stored whole, uncertain ones whole or absent, nothing else; returns samples checked. */
    static long checkBatches(Connection c, Load load, List<String> problems) throws Exception {
        Map<Integer, Long> stored = storedPerBatch(c, load);
        long checked = 0;
        for (Load.Batch b : load.acked) {
            long n = stored.getOrDefault(b.seq(), 0L);
            checked += b.size();
            if (n != b.size()) {
                problems.add("acknowledged batch " + b.seq() + ": " + n + " of " + b.size() + " samples stored");
            }
        }
        for (Load.Batch b : load.uncertain) {
            long n = stored.getOrDefault(b.seq(), 0L);
            if (n != 0 && n != b.size()) {
                problems.add("unacknowledged batch " + b.seq() + " partly stored: " + n + " of " + b.size());
            }
        }
        long dup = Recount.count(c, "SELECT count(*) - count(DISTINCT (vm_id, ts)) FROM vm_metrics WHERE org_id = ? AND vm_id = ANY(?)",
                org, c.createArrayOf("bigint", load.vms.toArray()));
        if (dup != 0) {
            problems.add(dup + " doubled samples");
        }
        return checked;
    }

    @Test
    @Order(1)
    void killDashNineDuringIngestLosesAndDoublesNothing() throws Exception {
        List<Long> vms = vms(s1.as(token), 40, "ingest");
        Load load = new Load(Instant.now().minus(5, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS), 5, vms);
        for (int cycle = 0; cycle < KILL_CYCLES; cycle++) {
            AtomicBoolean stop = new AtomicBoolean();
            Http http = s1.as(token);
            List<Thread> writers = List.of(loop("ingest-1", stop, () -> load.ingest(http)), loop("ingest-2", stop, () -> load.ingest(http)));
            Thread.sleep(RUN_BEFORE_KILL_MS);
            s1.kill9();
            faults.incrementAndGet();
            stop.set(true);
            joinAll(writers);
            s1.start();
        }
        List<String> problems = new ArrayList<>();
        long checked;
        long retried = 0;
        long duplicatesReported = 0;
        try (Connection c = db.connect()) {
            checked = checkBatches(c, load, problems);
            // A retried batch is harmless: every acknowledged sample comes back as a duplicate.
            Http http = s1.as(token);
            for (Load.Batch b : load.acked) {
                Http.Response r = http.post("/api/v1/metrics/vms", b.body());
                retried += b.size();
                duplicatesReported += r.json().path("duplicates").asLong();
                if (r.status() != 202 || r.json().path("duplicates").asLong() != b.size()) {
                    problems.add("retry of acknowledged batch " + b.seq() + ": " + r);
                }
            }
            for (Load.Batch b : load.uncertain) {
                Http.Response r = http.post("/api/v1/metrics/vms", b.body());
                if (r.status() != 202 || r.json().path("accepted").asLong() + r.json().path("duplicates").asLong() != b.size()) {
                    problems.add("retry of unacknowledged batch " + b.seq() + ": " + r);
                }
            }
            checkBatches(c, load, problems);
            long staleLatest = Recount.count(c, """
                    SELECT count(*) FROM vm_latest l WHERE l.org_id = ? AND l.vm_id = ANY(?)
                      AND l.ts <> (SELECT max(ts) FROM vm_metrics m WHERE m.org_id = l.org_id AND m.vm_id = l.vm_id)""",
                    org, c.createArrayOf("bigint", vms.toArray()));
            if (staleLatest != 0) {
                problems.add(staleLatest + " VMs whose latest value is not their newest sample");
            }
            problems.addAll(aggregatesMatchRaw(c, vms.subList(0, 3), load.base));
        }
        report.add("\n## kill -9 during ingest\n\n" + KILL_CYCLES + " kills, 2 writers, batches of 200 samples. Batches sent: "
                + load.requests.get() + "; acknowledged: " + load.acked.size() + " (" + checked + " samples, all checked present once); "
                + "unacknowledged (in flight at the kill): " + load.uncertain.size() + " (each stored whole or not at all, then retried). "
                + "Retry of every acknowledged batch: " + retried + " samples sent again, " + duplicatesReported + " reported duplicates. "
                + "Lost: " + problems.stream().filter(p -> p.startsWith("acknowledged")).count() + ". Problems: " + problems);
        assertThat(problems).isEmpty();
    }

    /** agg=count over the run's range, through the rollup tiers, equals the raw rows (after compaction catches up). */
    static List<String> aggregatesMatchRaw(Connection c, List<Long> vms, Instant from) throws Exception {
        List<String> out = new ArrayList<>();
        Http http = s1.as(token);
        for (long vm : vms) {
            long raw = Recount.count(c, "SELECT count(*) FROM vm_metrics WHERE org_id = ? AND vm_id = ?", org, vm);
            long served = -1;
            for (int attempt = 0; attempt < 60 && served != raw; attempt++) {
                Http.Response r = http.get("/api/v1/metrics/query?scope=vm&id=" + vm + "&metric=cpu_usage&agg=count&step=1h&from="
                        + from.minus(1, ChronoUnit.HOURS) + "&to=" + Instant.now().plus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS));
                served = 0;
                for (JsonNode p : r.json().path("series").path(0).path("points")) {
                    served += p.get(1).asLong();
                }
                if (served != raw) {
                    Thread.sleep(1000);
                }
            }
            if (served != raw) {
                out.add("vm " + vm + ": hourly count " + served + ", raw rows " + raw);
            }
        }
        return out;
    }

    @Test
    @Order(2)
    void killDashNineDuringInventoryChurnKeepsEveryAcknowledgedChangeAndTheCounters() throws Exception {
        Map<Long, String> expectState = new ConcurrentHashMap<>();
        Map<Long, String> expectName = new ConcurrentHashMap<>();
        java.util.Set<Long> uncertainVms = ConcurrentHashMap.newKeySet();
        java.util.Set<Long> deleted = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> acked = new ConcurrentHashMap<>();
        AtomicInteger unknown = new AtomicInteger();
        AtomicInteger seq = new AtomicInteger();
        List<Long> pool = Collections.synchronizedList(new ArrayList<>());
        for (int cycle = 0; cycle < KILL_CYCLES; cycle++) {
            AtomicBoolean stop = new AtomicBoolean();
            Http http = s1.as(token);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Random rnd = new Random(21L * 31 + cycle * 7 + t);
                threads.add(loop("churn-" + t, stop, () -> churnStep(http, rnd, pool, seq, expectState, expectName, uncertainVms, deleted, acked, unknown)));
            }
            Thread.sleep(RUN_BEFORE_KILL_MS);
            s1.kill9();
            faults.incrementAndGet();
            stop.set(true);
            joinAll(threads);
            s1.start();
        }
        List<String> problems = new ArrayList<>();
        int checked = 0;
        try (Connection c = db.connect()) {
            for (var e : expectState.entrySet()) {
                long id = e.getKey();
                if (uncertainVms.contains(id)) {
                    continue;
                }
                checked++;
                try (PreparedStatement ps = c.prepareStatement("SELECT name, state FROM vm WHERE org_id = ? AND id = ?")) {
                    ps.setLong(1, org);
                    ps.setLong(2, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        boolean exists = rs.next();
                        if (deleted.contains(id)) {
                            if (exists) {
                                problems.add("vm " + id + ": deleted (acknowledged) but present");
                            }
                        } else if (!exists) {
                            problems.add("vm " + id + ": acknowledged but missing");
                        } else if (!rs.getString(1).equals(expectName.get(id)) || !rs.getString(2).equals(e.getValue())) {
                            problems.add("vm " + id + ": " + rs.getString(1) + "/" + rs.getString(2) + ", acknowledged "
                                    + expectName.get(id) + "/" + e.getValue());
                        }
                    }
                }
                // Exactly one audit entry per acknowledged create, and per acknowledged delete.
                long creates = Recount.count(c, "SELECT count(*) FROM audit_log WHERE org_id = ? AND target_type = 'vm' AND target_id = ? AND action = 'vm.create'", org, id);
                if (creates != 1) {
                    problems.add("vm " + id + ": " + creates + " vm.create audit entries");
                }
                if (deleted.contains(id)) {
                    long deletes = Recount.count(c, "SELECT count(*) FROM audit_log WHERE org_id = ? AND target_type = 'vm' AND target_id = ? AND action = 'vm.delete'", org, id);
                    if (deletes != 1) {
                        problems.add("vm " + id + ": " + deletes + " vm.delete audit entries");
                    }
                }
            }
            problems.addAll(Recount.dashboard(c, s1.as(token), org));
            problems.addAll(Recount.nodes(c));
        }
        report.add("\n## kill -9 during inventory churn\n\n" + KILL_CYCLES + " kills, 3 writers creating, renaming, starting, stopping and "
                + "deleting VMs. Acknowledged changes: " + acked + "; requests without an answer: " + unknown.get() + " (their VMs, "
                + uncertainVms.size() + ", are only checked for consistency). VMs checked against their last acknowledged state: " + checked
                + ". Dashboard counters and every node's allocation equal a recount from the vm table after restart. Problems: " + problems);
        assertThat(problems).isEmpty();
    }

    private static void churnStep(Http http, Random rnd, List<Long> pool, AtomicInteger seq, Map<Long, String> state, Map<Long, String> names,
                                  java.util.Set<Long> uncertain, java.util.Set<Long> deleted, Map<String, AtomicInteger> acked, AtomicInteger unknown) {
        int op = rnd.nextInt(10);
        Long vm = null;
        synchronized (pool) {
            if (pool.size() > 3 && op >= 2) {
                vm = pool.get(rnd.nextInt(pool.size()));
            }
        }
        try {
            if (vm == null) {
                String name = "churn-" + seq.incrementAndGet();
                Http.Response r = http.post("/api/v1/vms", Map.of("name", name, "owner_id", user, "cpu_cores", 1 + rnd.nextInt(4),
                        "memory_mb", 512, "disk_gb", 5, "node_id", node));
                if (r.status() == 201) {
                    long id = r.json().get("id").asLong();
                    state.put(id, r.json().get("state").asText());
                    names.put(id, name);
                    pool.add(id);
                    acked.computeIfAbsent("create", k -> new AtomicInteger()).incrementAndGet();
                } else if (r.status() >= 500) {
                    unknown.incrementAndGet();
                }
                return;
            }
            if (op < 5) {
                String name = "churn-" + seq.incrementAndGet();
                Http.Response r = http.patch("/api/v1/vms/" + vm, Map.of("name", name));
                if (r.status() == 200) {
                    names.put(vm, name);
                    acked.computeIfAbsent("rename", k -> new AtomicInteger()).incrementAndGet();
                } else if (r.status() >= 500) {
                    uncertain.add(vm);
                    unknown.incrementAndGet();
                }
            } else if (op < 9) {
                String action = rnd.nextBoolean() ? "start" : "stop";
                Http.Response r = http.post("/api/v1/vms/" + vm + "/actions/" + action, null);
                if (r.status() == 200) {
                    state.put(vm, r.json().get("state").asText());
                    acked.computeIfAbsent(action, k -> new AtomicInteger()).incrementAndGet();
                } else if (r.status() >= 500) {
                    uncertain.add(vm);
                    unknown.incrementAndGet();
                }
            } else {
                pool.remove(vm);
                Http.Response r = http.delete("/api/v1/vms/" + vm);
                if (r.status() == 204) {
                    deleted.add(vm);
                    acked.computeIfAbsent("delete", k -> new AtomicInteger()).incrementAndGet();
                } else if (r.status() >= 500) {
                    uncertain.add(vm);
                    unknown.incrementAndGet();
                }
            }
        } catch (RuntimeException lost) {
            unknown.incrementAndGet();
            if (vm != null) {
                uncertain.add(vm);
            }
        }
    }

    @Test
    @Order(3)
    void databaseOutageIsOnly503WithRetryAfterAndRecoversWithoutRestart() throws Exception {
        List<Long> vms = vms(s1.as(token), 20, "outage");
        Load load = new Load(Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS), 2, vms);
        int pgPort = Integer.parseInt(FreshDatabase.SERVER.replaceAll(".*:(\\d+)/?$", "$1"));
        try (TcpProxy cut = new TcpProxy(pgPort);
             ServiceProcess s2 = new ServiceProcess("s2-outage", "jdbc:postgresql://127.0.0.1:" + cut.port() + "/" + db.name(),
                     Map.of("NOVACRON_DB_CONNECTION_TIMEOUT_MS", "1000")).start()) {
            Http http = s2.as(token);
            record Answer(long startNs, long endNs, String kind, int status, String retryAfter) {
            }
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger renameSeq = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            threads.add(loop("outage-ingest", stop, () -> {
                long t0 = System.nanoTime();
                int status = load.ingest(http);
                answers.add(new Answer(t0, System.nanoTime(), "ingest", status, null));
                pause(20);
            }));
            threads.add(loop("outage-rename", stop, () -> {
                long t0 = System.nanoTime();
                long vm = vms.get(renameSeq.get() % vms.size());
                int status = load.rename(http, vm, "outage-r" + renameSeq.incrementAndGet());
                answers.add(new Answer(t0, System.nanoTime(), "write", status, null));
                pause(20);
            }));
            String[] reads = {"/api/v1/dashboard", "/api/v1/vms?limit=20", "/api/v1/monitoring/vms", "/api/v1/vms/" + vms.get(0), "/readyz"};
            AtomicInteger readSeq = new AtomicInteger();
            threads.add(loop("outage-read", stop, () -> {
                long t0 = System.nanoTime();
                String path = reads[readSeq.getAndIncrement() % reads.length];
                int status;
                String retry = null;
                try {
                    Http.Response r = http.get(path);
                    status = r.status();
                    retry = r.header("Retry-After");
                } catch (RuntimeException e) {
                    status = 0;
                }
                answers.add(new Answer(t0, System.nanoTime(), path.startsWith("/readyz") ? "readyz" : "read", status, retry));
                pause(20);
            }));
            Thread.sleep(3000);
            long cutAt = System.nanoTime();
            cut.cut();
            faults.incrementAndGet();
            Thread.sleep(OUTAGE_SECONDS * 1000L);
            long restoredAt = System.nanoTime();
            cut.restore();
            Thread.sleep(8000);
            stop.set(true);
            joinAll(threads);

            List<String> problems = new ArrayList<>();
            Map<String, Integer> during = new java.util.TreeMap<>();
            long recoveredNs = -1;
            for (Answer a : answers) {
                boolean inOutage = a.endNs() > cutAt && a.startNs() < restoredAt;
                if (inOutage) {
                    during.merge(a.kind() + " " + a.status(), 1, Integer::sum);
                }
                if (a.status() == 0 || a.status() >= 500 && a.status() != 503) {
                    problems.add(a.kind() + " answered " + a.status() + (inOutage ? " during" : " outside") + " the outage");
                }
                if (a.status() == 503 && a.kind().equals("read") && a.retryAfter() == null) {
                    problems.add("503 without Retry-After");
                }
                if (a.startNs() > restoredAt && (a.kind().equals("write") && a.status() == 200 || a.kind().equals("ingest") && a.status() == 202)) {
                    recoveredNs = recoveredNs < 0 ? a.endNs() : Math.min(recoveredNs, a.endNs());
                }
            }
            if (load.unavailableWithoutRetryAfter.get() > 0) {
                problems.add(load.unavailableWithoutRetryAfter.get() + " write answers 503 without Retry-After");
            }
            double recoveryMs = recoveredNs < 0 ? -1 : (recoveredNs - restoredAt) / 1e6;
            long checked;
            try (Connection c = db.connect()) {
                checked = checkBatches(c, load, problems);
                for (var e : load.names.entrySet()) {
                    if (load.renameUncertain.contains(e.getKey())) {
                        continue;
                    }
                    long ok = Recount.count(c, "SELECT count(*) FROM vm WHERE org_id = ? AND id = ? AND name = ?", org, e.getKey(), e.getValue());
                    if (ok != 1) {
                        problems.add("vm " + e.getKey() + ": acknowledged name " + e.getValue() + " lost");
                    }
                }
            }
            report.add("\n## PostgreSQL unavailable (TCP proxy cut, the shared cluster untouched)\n\n" + OUTAGE_SECONDS
                    + " s outage under mixed load (ingest, renames, reads of dashboard, listing, monitoring, a VM, /readyz). Requests: "
                    + answers.size() + "; answers during the outage: " + during + ". First acknowledged write after the database "
                    + "returned: " + String.format("%.0f", recoveryMs) + " ms (contract: within 5 s, no restart). Acknowledged batches: "
                    + load.acked.size() + " (" + checked + " samples present), acknowledged renames checked: " + load.names.size()
                    + ". Problems: " + problems);
            assertThat(problems).isEmpty();
            assertThat(recoveredNs).as("a write succeeded after the database returned").isPositive();
        }
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @Order(4)
    void redisKilledWhileTwoInstancesServeGivesNoStaleAnswerAndNoError() throws Exception {
        int redisPort = ServiceProcess.freePort();
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ServiceProcess.LOGS.resolve("redis.log").toFile()).start();
        Map<String, String> env = Map.of("NOVACRON_REDIS_URL", "redis://127.0.0.1:" + redisPort, "NOVACRON_CACHE_ENABLED", "true");
        try (ServiceProcess a = new ServiceProcess("s3-a", db.url(), env).start();
             ServiceProcess b = new ServiceProcess("s3-b", db.url(), env).start()) {
            Http writer = a.as(token);
            Http reader = b.as(token);
            long vm = vms(writer, 1, "redis").get(0);
            List<String> problems = new ArrayList<>();
            int rounds = 0;
            int staleReads = 0;
            long maxStaleMs = 0;
            int reads = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(LONG ? 40 : 12);
            long killAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
            boolean killed = false;
            while (System.nanoTime() < end) {
                if (!killed && System.nanoTime() > killAt) {
                    redis.destroyForcibly(); // SIGKILL
                    redis.waitFor(10, TimeUnit.SECONDS);
                    faults.incrementAndGet();
                    killed = true;
                }
                String name = "redis-r" + rounds++;
                Http.Response w = writer.patch("/api/v1/vms/" + vm, Map.of("name", name));
                if (w.status() != 200) {
                    problems.add("rename answered " + w);
                    continue;
                }
                long acked = System.nanoTime();
                // Both instances cache the VM and the listing; after the acknowledgement the other must not
                // keep serving the old name past the change feed's delay (polled up to 5 s, reported).
                for (String path : List.of("/api/v1/vms/" + vm, "/api/v1/vms?q=" + name)) {
                    while (true) {
                        Http.Response r = reader.get(path);
                        reads++;
                        if (r.status() != 200) {
                            problems.add("read " + path + " answered " + r.status());
                            break;
                        }
                        if (r.body().contains("\"" + name + "\"")) {
                            break;
                        }
                        staleReads++;
                        long staleMs = (System.nanoTime() - acked) / 1_000_000;
                        maxStaleMs = Math.max(maxStaleMs, staleMs);
                        if (staleMs > 5000) {
                            problems.add("instance b still served the old name of vm " + vm + " 5 s after the rename");
                            break;
                        }
                        Thread.sleep(10);
                    }
                }
                Http.Response da = a.as(token).get("/api/v1/dashboard");
                Http.Response dbb = reader.get("/api/v1/dashboard");
                if (da.status() != 200 || dbb.status() != 200) {
                    problems.add("dashboard answered " + da.status() + "/" + dbb.status());
                }
            }
            report.add("\n## Redis killed (kill -9 of a private redis-server) while two instances serve\n\n" + rounds
                    + " renames on instance a, each read back from instance b (the VM and a listing by name): " + reads
                    + " reads, " + staleReads + " answered the previous name before the change feed reached b (longest "
                    + maxStaleMs + " ms after the acknowledgement); errors: " + problems.size() + ". Problems: " + problems);
            assertThat(problems).isEmpty();
        } finally {
            redis.destroyForcibly();
        }
    }

    @Test
    @Order(5)
    void mixedSoakKeepsLatencyHeapAndPoolFlat() throws Exception {
        List<Long> vms = vms(s1.as(token), 20, "soak");
        Load load = new Load(Instant.now().minus(8, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS), 1, vms);
        Http http = s1.as(token);
        Http admin = s1.admin();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>(); // {endNs, micros, status}
        String[] reads = {"/api/v1/dashboard", "/api/v1/vms?limit=50&sort=-cpu_cores", "/api/v1/monitoring/vms?limit=50",
            "/api/v1/metrics/query?scope=vm&id=" + vms.get(0) + "&metric=cpu_usage&agg=avg&step=5m&from="
                + Instant.now().minus(9, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS) + "&to=" + Instant.now().truncatedTo(ChronoUnit.SECONDS)};
        AtomicInteger n = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(loop("soak-" + t, stop, () -> {
                int i = n.getAndIncrement();
                long t0 = System.nanoTime();
                int status;
                if (i % 10 < 6) {
                    status = (i % 10 == 5 ? admin.get("/api/v1/nodes/capacity") : http.get(reads[i % reads.length])).status();
                } else if (i % 10 < 8) {
                    status = load.rename(http, vms.get(i % vms.size()), "soak-" + i);
                } else {
                    status = load.ingest(http);
                }
                long t1 = System.nanoTime();
                latencies.add(new long[] {t1, (t1 - t0) / 1000, status});
            }));
        }
        long start = System.nanoTime();
        List<String> rows = new ArrayList<>();
        rows.add("| window | requests | p50 ms | p99 ms | heap used MiB | pool active/idle/pending |");
        rows.add("|---|---|---|---|---|---|");
        int windows = SOAK_SECONDS / 10;
        int errors = 0;
        for (int w = 1; w <= windows; w++) {
            Thread.sleep(Math.max(0, start + TimeUnit.SECONDS.toNanos(10L * w) - System.nanoTime()) / 1_000_000);
            List<Long> window = new ArrayList<>();
            for (long[] l; (l = latencies.poll()) != null; ) {
                window.add(l[1]);
                if (l[2] >= 500 || l[2] == 0) {
                    errors++;
                }
            }
            Collections.sort(window);
            Map<String, Double> m = scrape(http);
            rows.add(String.format("| %d-%d s | %d | %.2f | %.2f | %.1f | %.0f/%.0f/%.0f |", (w - 1) * 10, w * 10, window.size(),
                    pct(window, 0.50) / 1000.0, pct(window, 0.99) / 1000.0, m.getOrDefault("heap", 0.0) / (1 << 20),
                    m.getOrDefault("active", 0.0), m.getOrDefault("idle", 0.0), m.getOrDefault("pending", 0.0)));
        }
        stop.set(true);
        joinAll(threads);
        List<String> problems = new ArrayList<>();
        long checked;
        try (Connection c = db.connect()) {
            checked = checkBatches(c, load, problems);
        }
        report.add("\n## Mixed soak (" + SOAK_SECONDS + " s, 4 client threads: 60 % reads of the critical reads, 20 % renames, "
                + "20 % ingest batches of 20 samples)\n\nClient-side latency per 10 s window; heap and pool from the service's "
                + "/metrics at the end of each window (heap is whatever the last GC left: compare the trend, not single values). "
                + "Requests: " + load.requests.get() + " writes and batches plus reads; 5xx or no answer: " + errors
                + "; acknowledged samples checked present: " + checked + ".\n\n" + String.join("\n", rows));
        assertThat(errors).isZero();
        assertThat(problems).isEmpty();
    }

    static long pct(List<Long> sorted, double q) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
    }

    /** Heap used (all heap pools) and the Hikari pool's connections, from the Prometheus text. */
    static Map<String, Double> scrape(Http http) {
        Map<String, Double> out = new HashMap<>();
        for (String line : http.get("/metrics").body().split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space < 0) {
                continue;
            }
            double v;
            try {
                v = Double.parseDouble(line.substring(space + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                out.merge("heap", v, Double::sum);
            } else if (line.startsWith("hikaricp_connections_active{")) {
                out.merge("active", v, Double::sum);
            } else if (line.startsWith("hikaricp_connections_idle{")) {
                out.merge("idle", v, Double::sum);
            } else if (line.startsWith("hikaricp_connections_pending{")) {
                out.merge("pending", v, Double::sum);
            }
        }
        return out;
    }
}
