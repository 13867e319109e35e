package io.novacron.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.app.Application;
import io.novacron.config.ServiceConfig;
import io.novacron.db.Database;
import io.novacron.web.Tokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * One benchmark run, in order: load the dataset (unless skipped), measure the five reads against
 * the baseline SQL and the service with its cache off and on, then (unless {@code wrkSeconds} is 0)
 * the cache-off reads again by {@code wrk} as a second opinion ({@link WrkRun}), then freshness, the
 * naive-insert baseline and storage; write the report.
 *
 * <p>Unless a URL is given, the service runs in this process as two instances on the same
 * database: one with {@code NOVACRON_CACHE_ENABLED=false} (the honest database path, also used
 * for loading) and one with it on. Both serve on loopback; the client threads are separate from
 * the servers' threads but share the machine's cores, as any single-host benchmark does.
 */
public final class BenchRun {
    /**
     * @param url         a running service to measure instead of in-process instances (its cache as configured)
     * @param cachedUrl   with {@code url}: a second instance with its cache on, or null
     * @param ownDatabase the database is the bench's own: dropped and recreated before a load
     * @param original    also measure the baseline SQL (off: the service's paths only, for A/B runs)
     * @param wrkSeconds  measured seconds of each wrk run on the cache-off instance (second opinion); 0: no wrk
     */
    public record Options(Dataset dataset, long seed, String url, String cachedUrl, ServiceConfig config, boolean ownDatabase,
                          Duration duration, Duration warmup, long requests, List<Integer> concurrency, List<String> workloads, boolean skipLoad,
                          boolean original, int freshnessTrials, long naiveSamples, Path outDir, int batchSize, int inFlight, String command,
                          String replicaUrl, int wrkSeconds) {
        /** As before {@code --replica} and {@code --wrk-seconds}: no replica run, no wrk. */
        public Options(Dataset dataset, long seed, String url, String cachedUrl, ServiceConfig config, boolean ownDatabase,
                       Duration duration, Duration warmup, long requests, List<Integer> concurrency, List<String> workloads,
                       boolean skipLoad, boolean original, int freshnessTrials, long naiveSamples, Path outDir, int batchSize,
                       int inFlight, String command) {
            this(dataset, seed, url, cachedUrl, config, ownDatabase, duration, warmup, requests, concurrency, workloads, skipLoad,
                    original, freshnessTrials, naiveSamples, outDir, batchSize, inFlight, command, null, 0);
        }
    }

    private BenchRun() {
    }

    public static BenchReport run(Options o, PrintStream out) throws Exception {
        quietAccessLog();
        String commit = Machine.gitCommit(); // at the start: the code that runs, whatever is edited meanwhile
        ServiceConfig cfg = o.config();
        List<String> notes = new ArrayList<>();
        notes.add("load average at start (1/5/15 min): " + Machine.loadAverage()
                + "; the machine may be shared, compare figures within one run");
        if (o.ownDatabase() && !o.skipLoad()) {
            dropDatabase(cfg.db(), out);
        }
        String adminToken = cfg.http().adminToken() != null ? cfg.http().adminToken() : Tokens.generate();
        ServiceConfig local = cfg.withHttp(cfg.http().withPort(0).withAdminToken(adminToken));
        List<Application> apps = new ArrayList<>();
        try {
            HttpTarget plain, cached, replicated = null;
            if (o.url() == null) {
                Application off = Application.start(local.withCache(local.cache().withEnabled(false)));
                apps.add(off);
                Application on = Application.start(local.withCache(local.cache().withEnabled(true)));
                apps.add(on);
                plain = new HttpTarget("http://127.0.0.1:" + off.port(), adminToken);
                cached = new HttpTarget("http://127.0.0.1:" + on.port(), adminToken);
                if (o.replicaUrl() != null) {
                    ServiceConfig r = local.withCache(local.cache().withEnabled(false))
                            .withReplicas(local.replicas().withUrls(List.of(o.replicaUrl())));
                    Application rep = Application.start(r);
                    apps.add(rep);
                    replicated = new HttpTarget("http://127.0.0.1:" + rep.port(), adminToken);
                    notes.add("replica: a third instance, cache off, NOVACRON_DB_REPLICA_URLS=" + o.replicaUrl()
                            + ", max wait " + r.replicas().maxWait().toMillis() + " ms; the replica is a hot standby on this machine");
                }
            } else {
                plain = new HttpTarget(o.url(), adminToken);
                cached = o.cachedUrl() == null ? null : new HttpTarget(o.cachedUrl(), adminToken);
                notes.add("measured against " + o.url() + (o.cachedUrl() == null ? " only; no cached instance given" : " and " + o.cachedUrl()));
            }
            BenchReport.Load load = new BenchReport.Load(true, 0, 0, null, null);
            FleetGenerator fleet = null;
            if (!o.skipLoad()) {
                Seeder.Result seeded = new Seeder(cfg.db(), plain.baseUrl(), adminToken, o.batchSize(), o.inFlight(), out)
                        .seed(o.dataset(), o.seed());
                fleet = seeded.fleet();
                load = new BenchReport.Load(false, seeded.inventoryRows(), seeded.inventorySeconds(), seeded.ingest(), null);
            }
            int maxConcurrency = o.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
            ServiceConfig.Database d = cfg.db();
            // The baseline's own pool: one connection per client thread, and room for slow baseline statements.
            var benchDb = new ServiceConfig.Database(d.url(), d.user(), d.password(), Math.max(2, maxConcurrency + 1),
                    d.connectionTimeout(), Duration.ofMinutes(5));
            // Against a running service (--url) its own process migrated the database: leave it at that version.
            try (Database jdbc = o.url() == null ? Database.open(benchDb, new SimpleMeterRegistry())
                    : Database.attach(benchDb, new SimpleMeterRegistry());
                 Connection c = jdbc.dataSource().getConnection()) {
                FleetProfile profile = FleetProfile.read(c, 100_000);
                Workloads workloads = new Workloads(profile);
                Target baseline = o.original() ? new BaselineTarget(jdbc.dataSource()) : null;
                notes.add(o.original() ? "original = BaselineQueries over JDBC in this process (no HTTP, no JSON), so the improvement "
                        + "column understates what the service gains over the original queries served the same way"
                        : "original not measured (--skip-original)");
                long packed = Storage.packedVmSamples(c);
                if (o.original() && packed > 0) {
                    notes.add(String.format("the original's SQL reads raw rows only: on this database %,d VM samples are packed into "
                            + "blocks (issue 20), so the original metrics aggregation sees only the hot hours and its figures and "
                            + "improvement are not comparable; the other originals read recent or inventory rows, which are still rows",
                            packed));
                }
                LatencyRun runner = new LatencyRun(workloads, o.requests(), o.duration(), o.warmup());
                List<BenchReport.ReadRow> rows = new ArrayList<>();
                List<BenchReport.ReplicaRow> replicaRows = new ArrayList<>();
                Map<String, GcPauses> clientGc = new HashMap<>(); // "read@concurrency" -> the optimized run's collections
                for (String w : o.workloads()) {
                    for (int conc : o.concurrency()) {
                        long seed = Streams.mix(o.seed(), w.hashCode(), conc); // same draws for every path
                        LatencyRun.Stats orig = baseline == null ? null : measure(out, "original", w, conc, runner, baseline, seed);
                        runner.warmUp(plain, w, conc, seed);
                        GcPauses gcBefore = GcPauses.now();
                        LatencyRun.Stats opt = measured(out, "optimized", w, conc, runner, plain, seed);
                        clientGc.put(w + "@" + conc, GcPauses.now().since(gcBefore));
                        LatencyRun.Stats hot = null;
                        Double hits = null;
                        if (cached != null) {
                            runner.warmUp(cached, w, conc, seed);
                            long[] before = cached.cacheLookups();
                            hot = measured(out, "cached", w, conc, runner, cached, seed);
                            long[] after = cached.cacheLookups();
                            long lookups = after[1] - before[1];
                            hits = lookups > 0 ? (double) (after[0] - before[0]) / lookups : null;
                        }
                        rows.add(BenchReport.ReadRow.of(w, conc, orig, opt, hot, hits));
                        if (replicated != null) {
                            runner.warmUp(replicated, w, conc, seed);
                            long[] before = replicated.readsByServer();
                            LatencyRun.Stats rep = measured(out, "replica", w, conc, runner, replicated, seed);
                            long[] after = replicated.readsByServer();
                            long onPrimary = after[0] - before[0], onReplica = after[1] - before[1];
                            replicaRows.add(new BenchReport.ReplicaRow(w, conc, opt, rep, onReplica, onPrimary,
                                    onPrimary + onReplica == 0 ? null : (double) onReplica / (onPrimary + onReplica)));
                        }
                    }
                }
                List<BenchReport.Floor> floor = new ArrayList<>();
                for (int conc : o.concurrency()) {
                    floor.add(new BenchReport.Floor(conc, measure(out, "floor", Workloads.HTTP_FLOOR, conc, runner, plain, o.seed())));
                }
                BenchReport.SecondOpinion wrk = secondOpinion(o, out, plain, adminToken, workloads, rows, floor,
                        o.url() == null ? clientGc : null);
                out.printf("freshness: %d trials per write kind%n", o.freshnessTrials());
                List<Freshness.Result> fresh = new Freshness(plain, cached != null ? cached : plain, profile).run(c, o.freshnessTrials());
                if (fleet == null) {
                    fleet = new FleetGenerator(o.dataset(), o.seed(), profile.seriesEnd(), Fleet.IdBase.ZERO);
                }
                out.printf("naive INSERT loop: %,d samples%n", o.naiveSamples());
                NaiveInsert.Result naive = NaiveInsert.run(c, fleet, o.naiveSamples());
                load = new BenchReport.Load(load.skipped(), load.inventoryRows(), load.inventorySeconds(), load.ingest(), naive);
                Storage.Result storage = Storage.measure(c);
                notes.add("load average at end: " + Machine.loadAverage());
                BenchReport report = new BenchReport(o.dataset().name(), o.seed(), LocalDate.now(ZoneOffset.UTC).toString(),
                        o.command(), Machine.describe(c, commit), load, rows, floor, fresh, storage, notes, replicaRows, wrk);
                Path md = ReportWriter.write(report, o.outDir());
                out.println();
                out.println(ReportWriter.markdown(report));
                out.println("written: " + md + " and " + md.toString().replaceFirst("\\.md$", ".json"));
                return report;
            }
        } finally {
            for (Application a : apps) {
                a.close();
            }
        }
    }

    /**
     * Silences the service's one-line-per-request access log for a bench or seed in this process
     * (millions of lines cost CPU the measurement shares), unless NOVACRON_ACCESS_LOG asks otherwise.
     */
    public static void quietAccessLog() {
        if (System.getenv("NOVACRON_ACCESS_LOG") == null
                && LoggerFactory.getLogger("access") instanceof ch.qos.logback.classic.Logger logger) {
            logger.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private static LatencyRun.Stats measure(PrintStream out, String path, String workload, int conc, LatencyRun runner,
                                            Target target, long seed) throws InterruptedException {
        runner.warmUp(target, workload, conc, seed);
        return measured(out, path, workload, conc, runner, target, seed);
    }

    /** The measured phase alone (after the caller's warm-up), printed as it ends. */
    private static LatencyRun.Stats measured(PrintStream out, String path, String workload, int conc, LatencyRun runner,
                                             Target target, long seed) throws InterruptedException {
        LatencyRun.Stats s = runner.measure(target, workload, conc, seed);
        out.printf("  %-20s c=%d %-9s p50 %7s  p99 %7s ms  %,7.0f req/s  %,d calls%s%n", workload, conc, path,
                ReportWriter.fmt(s.p50()), ReportWriter.fmt(s.p99()), s.throughput(), s.calls(),
                s.errors() > 0 ? "  " + s.errors() + " errors, first: " + s.firstError() : "");
        return s;
    }

    /**
     * wrk at each concurrency on the cache-off instance, after the project client's runs (so the
     * two never share the cores): {@code GET /healthz} first as wrk's floor, then each read on
     * the draws the client's cell used.
     */
    private static BenchReport.SecondOpinion secondOpinion(Options o, PrintStream out, HttpTarget plain, String adminToken,
                                                           Workloads workloads, List<BenchReport.ReadRow> reads,
                                                           List<BenchReport.Floor> clientFloors, Map<String, GcPauses> clientGc)
            throws IOException, InterruptedException {
        if (o.wrkSeconds() <= 0) {
            return new BenchReport.SecondOpinion("off (--wrk-seconds 0)", List.of());
        }
        WrkRun wrk = new WrkRun(plain.baseUrl(), adminToken, workloads, Duration.ofSeconds(o.wrkSeconds()));
        Map<Integer, WrkRun.Result> floors = new HashMap<>();
        for (int conc : o.concurrency()) {
            WrkRun.Result f = wrk.run(Workloads.HTTP_FLOOR, conc, o.seed());
            if (f == null) {
                out.println("wrk not installed: no second opinion");
                return new BenchReport.SecondOpinion("wrk not installed", List.of());
            }
            printWrk(out, Workloads.HTTP_FLOOR, conc, "floor", f);
            floors.put(conc, f);
        }
        List<BenchReport.WrkRow> rows = new ArrayList<>();
        for (BenchReport.ReadRow read : reads) {
            int conc = read.concurrency();
            GcPauses gcBefore = GcPauses.now();
            WrkRun.Result r = wrk.run(read.query(), conc, Streams.mix(o.seed(), read.query().hashCode(), conc));
            GcPauses gc = clientGc == null ? null : GcPauses.now().since(gcBefore); // wrk's warm-up included
            printWrk(out, read.query(), conc, "optimized", r);
            LatencyRun.Stats clientFloor = clientFloors.stream().filter(f -> f.concurrency() == conc).findFirst()
                    .map(BenchReport.Floor::stats).orElse(null);
            rows.add(BenchReport.WrkRow.of(read.query(), conc, r, read.optimized(), floors.get(conc), clientFloor, gc,
                    clientGc == null ? null : clientGc.get(read.query() + "@" + conc)));
        }
        return new BenchReport.SecondOpinion(null, rows);
    }

    private static void printWrk(PrintStream out, String workload, int conc, String path, WrkRun.Result r) {
        out.printf("  %-20s c=%d %-9s p50 %7s  p99 %7s ms  %,7.0f req/s  %,d calls (wrk)%s%n", workload, conc, path,
                ReportWriter.fmt(r.p50()), ReportWriter.fmt(r.p99()), r.requestsPerSecond(), r.requests(),
                r.non2xx3xx() + r.socketErrors() > 0 ? "  " + r.non2xx3xx() + " non-2xx/3xx, " + r.socketErrors() + " socket errors" : "");
    }

    private static void dropDatabase(ServiceConfig.Database db, PrintStream out) throws Exception {
        try (Connection c = DriverManager.getConnection(db.maintenanceUrl(), db.user(), db.password());
             var st = c.createStatement()) {
            // The name is the bench's own (novacron_bench_<dataset>), never user input.
            st.execute("DROP DATABASE IF EXISTS \"" + db.databaseName().replace("\"", "\"\"") + "\" WITH (FORCE)");
        }
        out.println("fresh database " + db.databaseName());
    }
}
