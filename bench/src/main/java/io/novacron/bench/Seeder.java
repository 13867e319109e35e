package io.novacron.bench;

import io.novacron.config.ConfigException;
import io.novacron.config.ServiceConfig;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Loads a generated dataset into a running service's database: the inventory by COPY
 * ({@link InventoryLoader}), then every metric sample through the service's HTTP ingestion
 * ({@link MetricLoader}). Refuses to load the same dataset and seed twice into one database.
 */
public final class Seeder {
    /** Samples per ingestion request: large enough to amortize the per-batch merge, well under API.md's 50,000. */
    public static final int DEFAULT_BATCH = 10_000;
    /**
     * Batches in flight: the service's default ingest concurrency ({@code NOVACRON_INGEST_CONCURRENCY}
     * = 2). A third batch would mostly be turned away with 429 and wait out a whole second of
     * {@code Retry-After}, which lowers the load rate instead of raising it.
     */
    public static final int DEFAULT_IN_FLIGHT = 2;

    public record Result(FleetGenerator fleet, long inventoryRows, double inventorySeconds, MetricLoader.Result ingest) {
    }

    private final ServiceConfig.Database db;
    private final String baseUrl;
    private final String adminToken;
    private final int batchSize;
    private final int inFlight;
    private final PrintStream out;

    public Seeder(ServiceConfig.Database db, String baseUrl, String adminToken, int batchSize, int inFlight, PrintStream out) {
        this.db = db;
        this.baseUrl = baseUrl;
        this.adminToken = adminToken;
        this.batchSize = batchSize;
        this.inFlight = inFlight;
        this.out = out;
    }

    public Result seed(Dataset dataset, long seed) throws Exception {
        Instant anchor = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        FleetGenerator fleet;
        long rows;
        long t0 = System.nanoTime();
        try (Connection c = connect(db)) {
            String marker = largestOrgName(dataset, seed);
            if (exists(c, marker)) {
                throw new ConfigException("dataset " + dataset.name() + " seed " + seed + " is already loaded in "
                        + db.url() + " (organization " + marker + "): use it as is (bench --skip-load) or a fresh database");
            }
            fleet = new FleetGenerator(dataset, seed, anchor, InventoryLoader.nextIds(c));
            out.printf("loading inventory: %,d orgs, %,d users, %,d nodes, %,d VMs (COPY)%n", dataset.orgs(), dataset.users(),
                    dataset.nodes(), dataset.vms());
            rows = InventoryLoader.load(c, fleet);
        }
        double inventorySeconds = (System.nanoTime() - t0) / 1e9;
        out.printf("inventory: %,d rows in %.1f s%n", rows, inventorySeconds);
        long expected = Math.round((dataset.vmSamples() + dataset.nodeSamples()) * (1 + SampleStream.DUPLICATE));
        out.printf("ingesting %,d VM and %,d node samples through %s/api/v1/metrics (batches of %,d, %d in flight)%n",
                dataset.vmSamples(), dataset.nodeSamples(), baseUrl, batchSize, inFlight);
        MetricLoader.Result ingest = new MetricLoader(new IngestClient(baseUrl, adminToken), batchSize, inFlight)
                .load(fleet, Progress.onStdout("samples", expected));
        out.printf("ingest: %,.0f samples/s (%,d sent, %,d accepted, %,d duplicates, %,d retries, %.1f s)%n",
                ingest.samplesPerSecond(), ingest.sent(), ingest.accepted(), ingest.duplicates(), ingest.retries(), ingest.seconds());
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            double settled = settle(c);
            out.printf("rollups caught up %.1f s after the load%n", settled);
            // A running service reuses the space its packer frees; a bulk-loaded day left it all at once.
            long t = System.nanoTime();
            if (Storage.tableExists(c, "metric_pack_watermark")) {
                long bytes = io.novacron.metrics.block.HistoryPacker.reclaim(c);
                out.printf("reclaimed %,d MB that packing left empty (compact --reclaim) in %.1f s%n", bytes >> 20, (System.nanoTime() - t) / 1e9);
            }
            // As autovacuum would soon: the reads are measured with fresh statistics and visibility maps.
            t = System.nanoTime();
            st.execute("VACUUM (ANALYZE)");
            out.printf("VACUUM (ANALYZE) in %.1f s%n", (System.nanoTime() - t) / 1e9);
        }
        return new Result(fleet, rows, inventorySeconds, ingest);
    }

    /**
     * Waits (at most 20 minutes) until the service's compactor has moved {@code ingest_until} up to
     * its grace before the newest sample, built the 5-minute rows of every whole hour before it and
     * folded the closed organization partials, and the packer has moved every hour older than
     * the default pack age (2 h) whose 5-minute rows exist into blocks: the reads
     * are measured in steady state, not while a bulk load's backlog is being compacted. Queries
     * are exact either way; they only read more raw rows before. Returns the seconds waited.
     */
    private static double settle(Connection c) throws SQLException, InterruptedException {
        String pending = """
                SELECT (SELECT count(*) FROM rollup_watermark w
                         WHERE w.ingest_until IS NULL
                            OR w.tier_until < date_trunc('hour', w.ingest_until)
                            OR w.ingest_until < (SELECT max(ts) FROM vm_latest) - interval '16 minutes' AND w.scope = 'vm'
                            OR w.ingest_until < (SELECT max(ts) FROM node_latest) - interval '16 minutes' AND w.scope = 'node')
                     + (SELECT count(*) FROM (SELECT 1 FROM org_rollup_delta WHERE bucket < now() - interval '4 minutes' LIMIT 1) d)""";
        // V35 (a service before it, in A/B runs, has nothing to pack). Only once the packer has started
        // (packed_until set): with packing off it never does, and the service packs at most a minute
        // after its 5-minute tier exists, well within the rollup catch-up this waits for.
        if (Storage.tableExists(c, "metric_pack_watermark")) {
            pending += """
                     + (SELECT count(*) FROM metric_pack_watermark p JOIN rollup_watermark r USING (scope)
                         WHERE p.packed_until IS NOT NULL AND p.moved_until < p.packed_until
                            OR p.packed_until IS NOT NULL AND p.packed_until < date_trunc('hour', least(now() - interval '2 hours', r.tier_until)))""";
        }
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < 20L * 60 * 1_000_000_000L) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(pending)) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    break;
                }
            }
            Thread.sleep(1000);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The name of the dataset's largest organization (the generator names orgs by size rank). */
    public static String largestOrgName(Dataset dataset, long seed) {
        return "bench-" + dataset.name() + "-s" + seed + "-org-0001";
    }

    /** Is this dataset and seed already loaded in the database? */
    public boolean loaded(Dataset dataset, long seed) throws SQLException {
        try (Connection c = connect(db)) {
            return exists(c, largestOrgName(dataset, seed));
        }
    }

    static Connection connect(ServiceConfig.Database db) throws SQLException {
        return DriverManager.getConnection(db.url(), db.user(), db.password());
    }

    private static boolean exists(Connection c, String orgName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM org WHERE lower(name) = lower(?)")) {
            ps.setString(1, orgName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
