package io.novacron.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.app.Application;
import io.novacron.config.ServiceConfig;
import io.novacron.db.Database;
import io.airlift.compress.snappy.SnappyCompressor;
import io.novacron.metrics.agents.proto.RemoteWrite;
import io.novacron.metrics.ingest.IngestTimings;
import io.novacron.metrics.ingest.JsonSampleReader;
import io.novacron.metrics.ingest.LineProtocolReader;
import io.novacron.metrics.ingest.MetricIngest;
import io.novacron.metrics.series.MetricKind;
import io.novacron.db.PgCopyBuffer;
import io.novacron.metrics.ingest.SampleBatch;
import io.novacron.metrics.ingest.SampleErrors;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.web.Principal;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Ingest benchmark (not a test): the same VM samples (FACTS.md shape: {@code --vms} VMs × 10
 * minutes, one sample a minute, 50 k-sample batches of 5 k VMs × 10 minutes) through, in one run:
 * a bare binary COPY into an unindexed table, the in-process ingest path
 * ({@link MetricIngest#ingest}), HTTP JSON, HTTP line protocol, the agent paths (Prometheus
 * remote-write, InfluxDB 1.x write with gzip, InfluxDB 2.x write), and a naive row-by-row INSERT
 * loop on a slice. Each path gets its own 10-minute time range (no duplicates between runs).
 * Reports samples/s, where ingest time goes (per-phase timers of the in-process run), compaction
 * catch-up, and bytes per sample of the tables and indexes; writes
 * {@code docs/benchmarks/ingest-<date>.md}.
 *
 * <p>Run: {@code mvn -q -B package -DskipTests && java -cp target/novacron.jar:target/novacron-bench.jar io.novacron.bench.IngestBenchmark}
 * (drops and recreates the database {@code novacron_ingest_bench} on the local server).
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true)
public final class IngestBenchmark implements Callable<Integer> {
    private static final String ADMIN = "ingest-benchmark-admin-token";
    private static final int MINUTES = 10;

    @Option(names = "--vms", description = "VMs; samples per path = VMs × 10 (default 100000)")
    int vms = 100_000;
    @Option(names = "--batch-vms", description = "VMs per batch; batch = this × 10 samples (default 5000)")
    int batchVms = 5_000;
    @Option(names = "--threads", description = "concurrent batches (default 2 = NOVACRON_INGEST_CONCURRENCY)")
    int threads = 2;
    @Option(names = "--insert-slice", description = "samples for the row-by-row INSERT loop (default 20000)")
    int insertSlice = 20_000;
    @Option(names = "--server", description = "JDBC URL of the server, without database")
    String server = "jdbc:postgresql://127.0.0.1:5432/";
    @Option(names = "--out", description = "report directory")
    Path out = Path.of("docs/benchmarks");

    private final Map<String, String> rows = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        String dbName = "novacron_ingest_bench";
        try (Connection c = DriverManager.getConnection(server + "postgres", "postgres", "")) {
            c.createStatement().execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
        }
        // Packing off: each path writes its own 10 minutes 3-5 hours back, which the packer would move
        // into blocks mid-run, sending the later paths down the late-sample path (LatePathReference
        // measures that one).
        ServiceConfig cfg = ServiceConfig.from(Map.of("NOVACRON_DB_URL", server + dbName, "NOVACRON_PORT", "0",
                "NOVACRON_ADMIN_TOKEN", ADMIN, "NOVACRON_CACHE_ENABLED", "false", "NOVACRON_PACK_AFTER_MINUTES", "0"));
        long samples = (long) vms * MINUTES;
        try (Application app = Application.start(cfg)) {
            long[] vmIds = inventory(app);
            Instant base = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(5, ChronoUnit.HOURS);
            System.out.printf("%d VMs, %d samples per path, batches of %d%n", vmIds.length, samples, batchVms * MINUTES);

            double copy = bareCopy(app, vmIds, base.plus(0, ChronoUnit.MINUTES), false);
            row("bare binary COPY, unindexed table (reference)", samples, copy, copy);
            double keyed = bareCopy(app, vmIds, base.plus(0, ChronoUnit.MINUTES), true);
            row("binary COPY into a table keyed (org_id, vm_id, ts) (exactly-once reference)", samples, keyed, copy);

            MetricIngest ingest = app.storage().ingest();
            double inproc = inProcess(ingest, vmIds, base.plus(15, ChronoUnit.MINUTES));
            row("in-process ingest (MetricIngest.ingest)", samples, inproc, copy);

            double json = http(app, vmIds, base.plus(30, ChronoUnit.MINUTES), false);
            row("HTTP JSON POST /api/v1/metrics/vms", samples, json, copy);

            double lp = http(app, vmIds, base.plus(45, ChronoUnit.MINUTES), true);
            row("HTTP line protocol POST /api/v1/metrics/write", samples, lp, copy);

            double prom = agentHttp(app, vmIds, base.plus(75, ChronoUnit.MINUTES), Agent.PROMETHEUS);
            row("HTTP Prometheus remote-write POST /api/v1/prom/write (one series per VM and metric, snappy protobuf)", samples, prom, copy);

            double influx1 = agentHttp(app, vmIds, base.plus(90, ChronoUnit.MINUTES), Agent.INFLUX_V1_GZIP);
            row("HTTP InfluxDB 1.x POST /write (line protocol, gzip)", samples, influx1, copy);

            double influx2 = agentHttp(app, vmIds, base.plus(105, ChronoUnit.MINUTES), Agent.INFLUX_V2);
            row("HTTP InfluxDB 2.x POST /api/v2/write (line protocol)", samples, influx2, copy);

            double naive = rowByRow(app, vmIds, base.plus(60, ChronoUnit.MINUTES));
            row("row-by-row INSERT loop (autocommit, " + insertSlice + "-sample slice)", insertSlice, naive, copy);

            phases(ingest, samples);
            parseOnly(vmIds, base);
            serviceSide(app, 5 * samples);
            long t = System.nanoTime();
            long moved = app.storage().compactor().compactAll();
            notes.add(String.format("Compaction catch-up at the end: %d delta rows left, folded in %.2f s.", moved, (System.nanoTime() - t) / 1e9));
            storage(app);
        }
        compactionAlone(cfg);
        write(samples);
        return 0;
    }

    /**
     * Compaction of late samples with the service stopped (nothing else running): the 5-minute
     * tier, shifted two days back, is put into the delta again, as partials of late samples would
     * be, and folded into every tier whose watermark is past it, timed.
     */
    private void compactionAlone(ServiceConfig cfg) {
        try (Database db = Database.open(cfg.db(), new SimpleMeterRegistry())) {
            Application.Storage storage = Application.storage(db, cfg, Clock.systemUTC(), new SimpleMeterRegistry());
            long rows = storage.tx().inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    return (long) st.executeUpdate("INSERT INTO vm_rollup_delta SELECT org_id, vm_id, bucket - interval '2 days',"
                            + " n, sums, mins, maxs, sketches, first_ts - interval '2 days', last_ts - interval '2 days' FROM vm_rollup_5m");
                }
            });
            long t = System.nanoTime();
            long moved = storage.compactor().compactAll();
            double secs = (System.nanoTime() - t) / 1e9;
            notes.add(String.format("Late-sample compaction alone (service stopped): %d delta rows (of %d) folded into the tiers past them"
                    + " in %.2f s, %.1f µs per delta row.", moved, rows, secs, secs * 1e6 / Math.max(1, moved)));
        }
    }

    private long[] inventory(Application app) throws Exception {
        try (Connection c = app.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO org (name) SELECT 'bench-' || g FROM generate_series(1, 100) g");
            st.execute("INSERT INTO app_user (org_id, email, name, role) SELECT id, 'u' || id || '@bench', 'u', 'admin' FROM org");
            st.execute("INSERT INTO vm (org_id, owner_id, name, state, cpu_cores, memory_mb, disk_gb)"
                    + " SELECT u.org_id, u.id, 'vm-' || g, 'stopped', 1, 1024, 10 FROM generate_series(1, " + vms + ") g"
                    + " JOIN app_user u ON u.org_id = (SELECT min(id) FROM org) + g % 100");
            long[] ids = new long[vms];
            try (ResultSet rs = st.executeQuery("SELECT id FROM vm ORDER BY id")) {
                int i = 0;
                while (rs.next()) {
                    ids[i++] = rs.getLong(1);
                }
            }
            return ids;
        }
    }

    /** Sample j of VM i: a daily-rhythm-like CPU plus deterministic noise. */
    private static double[] values(long vm, int minute) {
        double cpu = Math.round((50 + 40 * Math.sin((vm + minute) / 60.0)) * 10) / 10.0;
        return new double[] {cpu, 30 + vm % 50, vm % 1000 * 1000.0, minute * 512.0, 1e6 + vm, 2e6 + minute};
    }

    private List<int[]> batches(long[] ids) {
        List<int[]> b = new ArrayList<>();
        for (int from = 0; from < ids.length; from += batchVms) {
            b.add(new int[] {from, Math.min(ids.length, from + batchVms)});
        }
        return b;
    }

    private double parallel(List<int[]> batches, BatchTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int[] b : batches) {
                fs.add(pool.submit(() -> {
                    task.run(b[0], b[1]);
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            return (System.nanoTime() - t) / 1e9;
        } finally {
            pool.shutdown();
        }
    }

    @FunctionalInterface
    interface BatchTask {
        void run(int from, int to) throws Exception;
    }

    /**
     * The references: the same rows, encoded by the same {@link PgCopyBuffer} inside the timed
     * section, into a table without indexes, or (keyed) into one with the raw table's primary key,
     * what exactly-once must at least pay (issue 20: the compass goal is 70 % of it).
     */
    private double bareCopy(Application app, long[] ids, Instant base, boolean keyed) throws Exception {
        String table = keyed ? "bench_copy_keyed" : "bench_copy";
        try (Connection c = app.database().dataSource().getConnection()) {
            c.createStatement().execute("CREATE TABLE " + table + " (LIKE vm_metrics)");
            if (keyed) {
                c.createStatement().execute("ALTER TABLE bench_copy_keyed ADD PRIMARY KEY (org_id, vm_id, ts)");
            }
        }
        return parallel(batches(ids), (from, to) -> {
            PgCopyBuffer buf = new PgCopyBuffer((to - from) * MINUTES * 90);
            for (int i = from; i < to; i++) {
                for (int m = 0; m < MINUTES; m++) {
                    double[] v = values(ids[i], m);
                    // double precision columns since V32
                    buf.startRow(9).int8(1).int8(ids[i]).timestamptz(micros(base, m)).float8(v[0]).float8(v[1])
                            .float8(v[2]).float8(v[3]).float8(v[4]).float8(v[5]);
                }
            }
            try (Connection c = app.database().dataSource().getConnection()) {
                buf.copyInto(c, "COPY " + table + " FROM STDIN (FORMAT binary)");
            }
        });
    }

    private double inProcess(MetricIngest ingest, long[] ids, Instant base) throws Exception {
        List<SampleBatch> prepared = new ArrayList<>();
        for (int[] b : batches(ids)) {
            SampleBatch batch = new SampleBatch(MetricKind.VM, (b[1] - b[0]) * MINUTES);
            int idx = 0;
            for (int i = b[0]; i < b[1]; i++) {
                for (int m = 0; m < MINUTES; m++) {
                    batch.add(idx++, ids[i], micros(base, m), values(ids[i], m));
                }
            }
            prepared.add(batch);
        }
        AtomicLong next = new AtomicLong();
        return parallel(batches(ids), (from, to) -> ingest.ingest(Principal.admin(), prepared.get((int) next.getAndIncrement()),
                new SampleBatch(MetricKind.NODE, 0)));
    }

    private byte[] body(long[] ids, int from, int to, Instant base, boolean lineProtocol) {
        StringBuilder sb = new StringBuilder((to - from) * MINUTES * 200);
        if (!lineProtocol) {
            sb.append("{\"samples\":[");
        }
        String[] names = MetricKind.VM.metrics().toArray(new String[0]);
        for (int i = from; i < to; i++) {
            for (int m = 0; m < MINUTES; m++) {
                double[] v = values(ids[i], m);
                if (lineProtocol) {
                    sb.append("vm,vm_id=").append(ids[i]).append(' ');
                    for (int k = 0; k < 6; k++) {
                        sb.append(k == 0 ? "" : ",").append(names[k]).append('=').append(v[k]);
                    }
                    sb.append(' ').append(micros(base, m) * 1000).append('\n');
                } else {
                    if (sb.length() > 12) {
                        sb.append(',');
                    }
                    sb.append("{\"vm_id\":").append(ids[i]).append(",\"ts\":").append(micros(base, m) / 1000);
                    for (int k = 0; k < 6; k++) {
                        sb.append(",\"").append(names[k]).append("\":").append(v[k]);
                    }
                    sb.append('}');
                }
            }
        }
        if (!lineProtocol) {
            sb.append("]}");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private double http(Application app, long[] ids, Instant base, boolean lineProtocol) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int[] b : batches(ids)) {
            bodies.add(body(ids, b[0], b[1], base, lineProtocol));
        }
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + app.port() + (lineProtocol ? "/api/v1/metrics/write" : "/api/v1/metrics/vms"));
        AtomicLong next = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        double secs = parallel(batches(ids), (from, to) -> {
            byte[] body = bodies.get((int) next.getAndIncrement());
            while (true) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + ADMIN)
                        .header("Content-Type", lineProtocol ? "text/plain" : "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    return;
                }
                if (r.statusCode() != 429) {
                    throw new IllegalStateException("ingest failed: " + r.statusCode() + " " + r.body());
                }
                retries.incrementAndGet();
            }
        });
        long bytes = bodies.stream().mapToLong(b -> b.length).sum();
        notes.add(String.format("%s: %.1f MB of request bodies (%.0f B/sample), %d retries after 429.",
                lineProtocol ? "Line protocol" : "JSON", bytes / 1e6, (double) bytes / ((long) ids.length * MINUTES), retries.get()));
        return secs;
    }

    /** The agent-compatible write paths, each with what its client sends: headers, body encoding, success status. */
    enum Agent {
        PROMETHEUS("/api/v1/prom/write", 200), INFLUX_V1_GZIP("/write?db=fleet&precision=n", 204),
        INFLUX_V2("/api/v2/write?org=bench&bucket=fleet&precision=ns", 204);

        final String path;
        final int ok;

        Agent(String path, int ok) {
            this.path = path;
            this.ok = ok;
        }
    }

    /**
     * A remote-write body as Prometheus builds it: one time series per (VM, metric) holding the
     * batch's minutes, so a batch of N samples is 6 N float samples in 6 N / 10 series.
     */
    private static byte[] remoteWrite(long[] ids, int from, int to, Instant base) {
        String[] names = ServiceConfig.from(Map.of()).agents().vmMetrics().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparingInt(MetricKind.VM::metricIndex)))
                .map(Map.Entry::getValue).toArray(String[]::new);
        String label = ServiceConfig.from(Map.of()).agents().vmLabel();
        RemoteWrite.WriteRequest.Builder r = RemoteWrite.WriteRequest.newBuilder();
        for (int i = from; i < to; i++) {
            for (int k = 0; k < 6; k++) {
                RemoteWrite.TimeSeries.Builder ts = RemoteWrite.TimeSeries.newBuilder()
                        .addLabels(RemoteWrite.Label.newBuilder().setName("__name__").setValue(names[k]))
                        .addLabels(RemoteWrite.Label.newBuilder().setName("instance").setValue("hv-" + ids[i] % 500 + ":9177"))
                        .addLabels(RemoteWrite.Label.newBuilder().setName("job").setValue("libvirt"))
                        .addLabels(RemoteWrite.Label.newBuilder().setName(label).setValue(Long.toString(ids[i])));
                for (int m = 0; m < MINUTES; m++) {
                    ts.addSamples(RemoteWrite.Sample.newBuilder().setValue(values(ids[i], m)[k]).setTimestamp(micros(base, m) / 1000));
                }
                r.addTimeseries(ts);
            }
        }
        byte[] raw = r.build().toByteArray();
        SnappyCompressor c = new SnappyCompressor();
        byte[] out = new byte[c.maxCompressedLength(raw.length)];
        return java.util.Arrays.copyOf(out, c.compress(raw, 0, raw.length, out, 0, out.length));
    }

    private static byte[] gzip(byte[] b) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(b.length / 4);
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    /** Bodies are built (and compressed) before the clock starts, as a client would have them ready. */
    private double agentHttp(Application app, long[] ids, Instant base, Agent agent) throws Exception {
        List<byte[]> bodies = new ArrayList<>();
        for (int[] b : batches(ids)) {
            bodies.add(switch (agent) {
                case PROMETHEUS -> remoteWrite(ids, b[0], b[1], base);
                case INFLUX_V1_GZIP -> gzip(body(ids, b[0], b[1], base, true));
                case INFLUX_V2 -> body(ids, b[0], b[1], base, true);
            });
        }
        HttpClient client = HttpClient.newHttpClient();
        URI uri = URI.create("http://127.0.0.1:" + app.port() + agent.path);
        AtomicLong next = new AtomicLong();
        AtomicLong retries = new AtomicLong();
        double secs = parallel(batches(ids), (from, to) -> {
            byte[] body = bodies.get((int) next.getAndIncrement());
            while (true) {
                HttpRequest.Builder req = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                switch (agent) {
                    case PROMETHEUS -> req.header("Authorization", "Bearer " + ADMIN).header("Content-Encoding", "snappy")
                            .header("Content-Type", "application/x-protobuf").header("X-Prometheus-Remote-Write-Version", "0.1.0");
                    case INFLUX_V1_GZIP -> req.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                            .encodeToString(("telegraf:" + ADMIN).getBytes(StandardCharsets.UTF_8)))
                            .header("Content-Encoding", "gzip").header("Content-Type", "text/plain; charset=utf-8");
                    case INFLUX_V2 -> req.header("Authorization", "Token " + ADMIN).header("Content-Type", "text/plain; charset=utf-8");
                }
                HttpResponse<String> r = client.send(req.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == agent.ok) {
                    return;
                }
                if (r.statusCode() != 429) {
                    throw new IllegalStateException(agent + " ingest failed: " + r.statusCode() + " " + r.body());
                }
                retries.incrementAndGet();
            }
        });
        long bytes = bodies.stream().mapToLong(b -> b.length).sum();
        notes.add(String.format("%s: %.1f MB of request bodies (%.0f B/sample), %d retries after 429.", agent.path,
                bytes / 1e6, (double) bytes / ((long) ids.length * MINUTES), retries.get()));
        return secs;
    }

    private double rowByRow(Application app, long[] ids, Instant base) throws Exception {
        long t = System.nanoTime();
        try (Connection c = app.database().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO vm_metrics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            long org;
            try (ResultSet rs = c.createStatement().executeQuery("SELECT min(org_id) FROM vm")) {
                rs.next();
                org = rs.getLong(1);
            }
            int n = 0;
            for (int i = 0; n < insertSlice; i++) {
                for (int m = 0; m < MINUTES && n < insertSlice; m++, n++) {
                    double[] v = values(ids[i], m);
                    ps.setLong(1, org);
                    ps.setLong(2, ids[i]);
                    ps.setObject(3, Instant.ofEpochSecond(0, micros(base, m) * 1000).atOffset(ZoneOffset.UTC));
                    ps.setFloat(4, (float) v[0]);
                    ps.setFloat(5, (float) v[1]);
                    for (int k = 2; k < 6; k++) {
                        ps.setDouble(k + 4, v[k]);
                    }
                    ps.executeUpdate();
                }
            }
        }
        return (System.nanoTime() - t) / 1e9;
    }

    private void phases(MetricIngest ingest, long samples) {
        StringBuilder sb = new StringBuilder("In-process run, time per phase summed over both threads (µs per sample): ");
        ingest.timings().totalsNanos().forEach((p, ns) -> {
            if (ns > 0) {
                sb.append(String.format("%s %.2f; ", p.name().toLowerCase(), ns / 1e3 / samples));
            }
        });
        notes.add(sb.toString());
    }

    /** Parsing alone, one thread, no database: what the HTTP paths add before the in-process path. */
    private void parseOnly(long[] ids, Instant base) {
        int n = Math.min(ids.length, batchVms);
        byte[] json = body(ids, 0, n, base, false);
        byte[] lp = body(ids, 0, n, base, true);
        for (int warm = 0; warm < 3; warm++) {
            new JsonSampleReader(MetricKind.VM, 1_000_000).read(new ByteArrayInputStream(json), new SampleErrors());
            new LineProtocolReader(1_000_000, LineProtocolReader.Precision.NS, 0).read(lp, lp.length,
                    new SampleBatch(MetricKind.VM, 0), new SampleBatch(MetricKind.NODE, 0), new SampleErrors());
        }
        long t = System.nanoTime();
        new JsonSampleReader(MetricKind.VM, 1_000_000).read(new ByteArrayInputStream(json), new SampleErrors());
        double jsonUs = (System.nanoTime() - t) / 1e3 / (n * MINUTES);
        t = System.nanoTime();
        new LineProtocolReader(1_000_000, LineProtocolReader.Precision.NS, 0).read(lp, lp.length,
                new SampleBatch(MetricKind.VM, 0), new SampleBatch(MetricKind.NODE, 0), new SampleErrors());
        double lpUs = (System.nanoTime() - t) / 1e3 / (n * MINUTES);
        notes.add(String.format("Parsing alone (one thread, warm): JSON %.2f µs/sample (%.2f M samples/s), line protocol %.2f µs/sample (%.2f M samples/s).",
                jsonUs, 1 / jsonUs, lpUs, 1 / lpUs));
    }

    /** The service's own timers (HTTP JSON and line-protocol runs together), read from its /metrics. */
    private void serviceSide(Application app, long samples) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + app.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        StringBuilder sb = new StringBuilder("HTTP runs (JSON, line protocol and the three agent paths), service-side time per phase summed over request threads (µs per sample): ");
        double compactSecs = 0, compactRows = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("novacron_ingest_phase_seconds_sum{")) {
                String phase = line.substring(line.indexOf("phase=\"") + 7, line.indexOf('"', line.indexOf("phase=\"") + 7));
                sb.append(String.format("%s %.2f; ", phase, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) * 1e6 / samples));
            } else if (line.startsWith("novacron_rollup_compaction_seconds_sum")) {
                compactSecs = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("novacron_rollup_compacted_rows_total")) {
                compactRows = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        notes.add(sb.toString());
        notes.add(String.format("Background compaction during the whole run (service task, every 2 s): %.0f delta rows folded into all tiers"
                + " in %.2f s (%.1f µs per delta row; a delta row summarizes ~5 samples of one VM).", compactRows, compactSecs,
                compactRows == 0 ? 0 : compactSecs * 1e6 / compactRows));
    }

    private void storage(Application app) throws Exception {
        try (Connection c = app.database().dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("SET statement_timeout = 0"); // a whole-database ANALYZE outlasts the service's 15 s cap on a busy machine
            st.execute("ANALYZE");
            st.execute("RESET statement_timeout");
            String sql = """
                    SELECT (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('vm_metrics')),
                           (SELECT sum(pg_relation_size(relid)) FROM pg_partition_tree('vm_metrics')),
                           (SELECT count(*) FROM vm_metrics),
                           (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('vm_rollup')),
                           (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('org_rollup')),
                           pg_total_relation_size('bench_copy'), (SELECT count(*) FROM bench_copy),
                           (SELECT count(*) FROM vm_rollup), version(), current_setting('shared_buffers'),
                           current_setting('max_wal_size'), current_setting('synchronous_commit')""";
            try (ResultSet rs = st.executeQuery(sql)) {
                rs.next();
                double n = rs.getLong(3);
                notes.add(String.format("Storage: vm_metrics %.0f B/sample with its primary key and BRIN (heap alone %.0f B); "
                                + "series rollups (5m+1h+1d, with sketches) %.0f B and organization rollups %.1f B per raw sample "
                                + "(%d series rollup rows); the unindexed COPY table %.0f B/sample.",
                        rs.getLong(1) / n, rs.getLong(2) / n, rs.getLong(4) / n, rs.getLong(5) / n, rs.getLong(8),
                        rs.getLong(6) / (double) rs.getLong(7)));
                notes.add("PostgreSQL: " + rs.getString(9).split(",")[0] + "; shared_buffers " + rs.getString(10)
                        + ", max_wal_size " + rs.getString(11) + ", synchronous_commit " + rs.getString(12) + ".");
            }
        }
    }

    private void row(String path, long samples, double secs, double copySecs) {
        double rate = samples / secs;
        double copyRate = (double) ((long) vms * MINUTES) / copySecs;
        String line = String.format("| %,d | %.2f | %,.0f | %.0f%% |", samples, secs, rate, 100 * rate / copyRate);
        rows.put(path, line);
        System.out.println(path + " " + line);
    }

    private void write(long samples) throws Exception {
        StringBuilder md = new StringBuilder("# Ingest benchmark, " + LocalDate.now(ZoneOffset.UTC) + "\n\n");
        md.append("Command: `mvn -q -B package -DskipTests && java -cp target/novacron.jar:target/novacron-bench.jar io.novacron.bench.IngestBenchmark")
                .append(" --vms ").append(vms).append(" --batch-vms ").append(batchVms).append(" --threads ").append(threads)
                .append("`\n\n");
        md.append(String.format("Machine: %d cores, %.1f GiB max heap, Java %s. Data: %,d VMs × %d minutes = %,d samples per path,"
                        + " batches of %,d samples, %d concurrent batches. Rollups, latest values and org usage are maintained"
                        + " by every ingest path (not by the COPY and INSERT references).%n%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (double) (1L << 30),
                System.getProperty("java.version"), vms, MINUTES, samples, batchVms * MINUTES, threads));
        md.append("| path | samples | seconds | samples/s | vs bare COPY |\n|---|---|---|---|---|\n");
        rows.forEach((k, v) -> md.append("| ").append(k).append(' ').append(v).append('\n'));
        md.append('\n');
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        Files.createDirectories(out);
        Path file = out.resolve("ingest-" + LocalDate.now(ZoneOffset.UTC) + ".md");
        Files.writeString(file, md.toString());
        System.out.println(md);
        System.out.println("written to " + file);
    }

    private static long micros(Instant base, int minute) {
        return (base.getEpochSecond() + 60L * minute) * 1_000_000L;
    }
}
