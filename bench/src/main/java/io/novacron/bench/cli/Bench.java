package io.novacron.bench.cli;

import io.novacron.bench.BenchRun;
import io.novacron.bench.Dataset;
import io.novacron.bench.Workloads;
import io.novacron.app.Application;
import io.novacron.app.Main;
import io.novacron.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bench}: the one-command benchmark of BENCHMARK.md (see {@link BenchRun}). */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a generated dataset through the ingestion API, measure the five critical reads (baseline SQL, "
                + "cache off, cache on; concurrency 1 and 8), ingest, freshness and storage, and write "
                + "docs/benchmarks/<dataset>-<date>.md and .json.",
                "Without --db-url it uses its own database novacron_bench_<dataset> on the configured server, "
                        + "recreated for each load."})
final class Bench implements Callable<Integer> {
    @Mixin
    Main.Settings settings;
    @Spec
    CommandLine.Model.CommandSpec spec;
    @Mixin
    LoadOptions load;

    @Option(names = "--url", description = "measure a running service at this base URL (needs --admin-token and --db-url)")
    String url;
    @Option(names = "--replica", description = "also measure the reads on an instance whose reads may go to this hot standby "
            + "(a JDBC URL; without a database name, the bench's own), beside the primary-only path")
    String replica;
    @Option(names = "--cached-url", description = "with --url: a second instance of it with its cache on")
    String cachedUrl;
    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "longest measurement per workload, path and concurrency (default: ${DEFAULT-VALUE})")
    Duration duration;
    @Option(names = "--requests", defaultValue = "2000", description = "calls per measurement, unless --duration ends it first (default: ${DEFAULT-VALUE})")
    long requests;
    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class, description = "longest warm-up (default: ${DEFAULT-VALUE})")
    Duration warmup;
    @Option(names = "--concurrency", defaultValue = "1,8", split = ",", description = "client threads (default: ${DEFAULT-VALUE})")
    List<Integer> concurrency;
    @Option(names = "--workloads", split = ",", description = "reads to measure (default: all five: dashboard, vm_listing, "
            + "monitoring, node_capacity, metrics_aggregation)")
    List<String> workloads;
    @Option(names = "--skip-load", description = "measure the dataset already loaded in the database")
    boolean skipLoad;
    @Option(names = "--skip-original", description = "measure the service only, not the baseline SQL (for A/B runs; "
            + "on large the baseline takes most of a run)")
    boolean skipOriginal;
    @Option(names = "--smoke", description = "CI smoke: a tiny slice of the dataset and short runs; checks the harness, not the service's speed")
    boolean smoke;
    @Option(names = "--wrk-seconds", defaultValue = "10", description = "measured seconds of each wrk run, the second opinion on "
            + "the cache-off reads (default: ${DEFAULT-VALUE}; 0: no wrk)")
    int wrkSeconds;
    @Option(names = "--freshness-trials", defaultValue = "1000", description = "trials per write kind (default: ${DEFAULT-VALUE})")
    int freshnessTrials;
    @Option(names = "--naive-samples", defaultValue = "100000", description = "samples of the row-by-row INSERT baseline (default: ${DEFAULT-VALUE})")
    long naiveSamples;
    @Option(names = "--out", defaultValue = "docs/benchmarks", description = "report directory (default: ${DEFAULT-VALUE}; with --smoke: target/bench-smoke)")
    Path out;

    @Override
    public Integer call() throws Exception {
        Dataset ds = load.dataset();
        ServiceConfig cfg = settings.resolve();
        boolean own = !settings.dbUrlGiven() && url == null;
        if (smoke) {
            ds = Dataset.SMOKE;
            duration = min(duration, Duration.ofSeconds(3));
            warmup = min(warmup, Duration.ofMillis(500));
            requests = Math.min(requests, 200);
            wrkSeconds = Math.min(wrkSeconds, 2);
            freshnessTrials = Math.min(freshnessTrials, 20);
            naiveSamples = Math.min(naiveSamples, 2_000);
            if (!spec.commandLine().getParseResult().hasMatchedOption("--out")) {
                out = Path.of("target", "bench-smoke");
            }
        }
        if (own) {
            cfg = cfg.withDb(cfg.db().withUrl(withDatabaseName(cfg.db(), "novacron_bench_" + ds.name())));
        }
        if (workloads == null) {
            workloads = Workloads.NAMES;
        } else if (!Workloads.NAMES.containsAll(workloads)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workloads: unknown read in " + workloads
                    + "; allowed: " + String.join(", ", Workloads.NAMES));
        }
        if (wrkSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--wrk-seconds: 0 or more");
        }
        if (url != null && cfg.http().adminToken() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--url needs the service's --admin-token");
        }
        // JVM options (heap, collector) change latency: they belong to the command that produced the figures.
        List<String> jvm = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();
        String command = "java " + (jvm.isEmpty() ? "" : String.join(" ", jvm) + " ") + "-jar target/novacron.jar "
                + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        BenchRun.run(new BenchRun.Options(ds, load.seed, url, cachedUrl, cfg, own, duration, warmup, requests, concurrency, workloads, skipLoad,
                !skipOriginal, freshnessTrials, naiveSamples, out, load.batchSize, load.inFlight, command,
                replicaUrl(cfg.db()), wrkSeconds), System.out);
        return 0;
    }

    /** --replica as given, or naming the bench's database when it names none; null without --replica. */
    private String replicaUrl(ServiceConfig.Database db) {
        if (replica == null) {
            return null;
        }
        if (!replica.startsWith("jdbc:postgresql://")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replica: a JDBC URL, e.g. jdbc:postgresql://127.0.0.1:5433/");
        }
        if (url != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--replica runs an in-process instance: not with --url");
        }
        String rest = replica.substring("jdbc:postgresql://".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? replica + "/" + db.databaseName() : slash == rest.length() - 1 ? replica + db.databaseName() : replica;
    }

    static String withDatabaseName(ServiceConfig.Database db, String name) {
        return db.url().replaceFirst("/" + Pattern.quote(db.databaseName()) + "(\\?|$)", "/" + Matcher.quoteReplacement(name) + "$1");
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Reads {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String v) {
            Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(v.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
            }
            try {
                return Duration.parse(v);
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + v + "' is not a duration: use e.g. 30s, 500ms, 2m");
            }
        }
    }
}
