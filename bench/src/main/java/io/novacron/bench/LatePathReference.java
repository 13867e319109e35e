package io.novacron.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.app.Application;
import io.novacron.config.ServiceConfig;
import io.novacron.db.PgCopyBuffer;
import io.novacron.db.Tx;
import io.novacron.metrics.block.BlockCodec;
import io.novacron.metrics.block.Blocks;
import io.novacron.metrics.block.HistoryPacker;
import io.novacron.metrics.block.SeriesBlock;
import io.novacron.metrics.series.MetricKind;
import io.novacron.web.Tokens;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Late samples in packed hours, the two mechanisms side by side on the same packed blocks (issue
 * 20: "choose the mechanism by measurement"):
 * <ul>
 *   <li><b>side path</b> (what the service does): the batch goes through the real ingestion API
 *       (an in-process service), which stores each late sample as a row and marks its hour dirty;
 *       then {@link HistoryPacker#packAll()} folds the hour (decode, merge, re-encode, upsert,
 *       delete the rows, VACUUM the partition).</li>
 *   <li><b>in-batch rewrite</b> (never built): exactly the work that mechanism would add to an
 *       ingest batch's transaction: lock the touched blocks ({@code FOR UPDATE}), decode, merge the
 *       late sample ({@link Blocks#merge}), re-encode, COPY into a staging table, {@code UPDATE}.</li>
 * </ul>
 * A batch holds one late sample (block_start + minute + 30 s by default: never a generator timestamp) for
 * each of K series in one packed hour; the hours alternate between the mechanisms so neither
 * meets blocks the other rewrote. A third series of batches, the same samples in an unpacked
 * hour, is the ingest baseline: side-path batch minus baseline is what the side path adds to the
 * ingest path.
 *
 * <p>WAL: the database is shared with a bulk load, so {@code pg_current_wal_lsn()} differences
 * measure mostly the load; each figure is instead the sum of the WAL records carrying the
 * measured transaction's xid ({@code pg_walinspect}, created if missing), FPIs included. Records
 * without an xid (VACUUM, hint-bit page images) are not counted.
 *
 * <p>The packer runs with a clock fixed just after {@code packed_until} plus the pack age, so
 * {@code packAll} never moves a new hour during the run: what it does is the fold (and its
 * VACUUM). The service runs with its own packer off for the same reason.
 */
public final class LatePathReference {
    /** The late sample's values (valid for every VM metric: percentages, byte rates). */
    private static final double[] VALUES = {12.5, 40.25, 1000, 2000, 3000, 4000};
    private static final String PACK_LOCK = "metric_pack_vm"; // BlockTable.VM.packLock()
    private static final String LOCK_BLOCKS = """
            SELECT org_id, vm_id, block_start, data FROM vm_metric_block
             WHERE (org_id, vm_id, block_start) IN (
                   SELECT o, s, timestamptz 'epoch' + h * interval '1 microsecond' FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS k(o, s, h))
             ORDER BY 1, 2, 3 FOR UPDATE""";
    // The same staging table shape and lifetime as the ingest path's vm_stage (per session, emptied at commit).
    private static final String STAGE = "CREATE TEMP TABLE IF NOT EXISTS late_stage (LIKE vm_metric_block) ON COMMIT DELETE ROWS";
    // block_start = ANY(hours) lets the planner prune the block partitions (the keys come from a temp table).
    private static final String UPDATE = """
            UPDATE vm_metric_block b SET n = s.n, data = s.data FROM late_stage s
             WHERE b.org_id = s.org_id AND b.vm_id = s.vm_id AND b.block_start = s.block_start
               AND b.block_start = ANY(?::text[]::timestamptz[])""";

    /** One batch: one late sample at {@code ts} for each series, all in the block of {@code hour}. */
    record Batch(long hour, long ts, long[] org, long[] vm) {
        int size() {
            return vm.length;
        }
    }

    /**
     * What one batch cost: milliseconds and WAL of each measured step. {@code ingest*} is the work
     * on the ingest path (the HTTP batch, or the rewrite's extra work), {@code fold*} and
     * {@code packAllMs} the side path's later fold (0 for the others).
     */
    record Cost(double ingestMs, Wal ingestWal, double foldMs, double packAllMs, Wal foldWal) {
    }

    /** WAL bytes of one transaction, and how many of them were full-page images. */
    record Wal(long bytes, long fpi) {
        static final Wal NONE = new Wal(0, 0);
    }

    private final String url;
    private final Connection admin;
    private final List<Long> packedHours;
    private final List<long[]> series;
    private final long unpackedHour;
    private final int offsetSeconds;

    private LatePathReference(String url, Connection admin, int offsetSeconds) throws SQLException {
        this.url = url;
        this.admin = admin;
        this.offsetSeconds = offsetSeconds;
        this.packedHours = longs(admin, "SELECT DISTINCT (extract(epoch FROM block_start) * 1000000)::bigint FROM vm_metric_block"
                + " WHERE block_start < (SELECT moved_until FROM metric_pack_watermark WHERE scope = 'vm') ORDER BY 1");
        // Every VM of the generated fleet samples every minute: each has a block in every packed hour.
        this.series = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT org_id, vm_id FROM vm_metric_block WHERE block_start = (SELECT min(block_start) FROM vm_metric_block) ORDER BY vm_id")) {
            while (rs.next()) {
                series.add(new long[] {rs.getLong(1), rs.getLong(2)});
            }
        }
        // The first hour still in rows (moved_until): the baseline's samples land there as ordinary rows.
        this.unpackedHour = longs(admin, "SELECT (extract(epoch FROM moved_until) * 1000000)::bigint FROM metric_pack_watermark WHERE scope = 'vm'").get(0);
    }

    /**
     * The batch of K series for slot {@code slot} of a mechanism whose hours are {@code hours}:
     * slots cycle through the hours, then move a minute on, so no two batches share a timestamp.
     */
    private Batch batch(List<Long> hours, int slot, int k) {
        long hour = hours.get(slot % hours.size());
        long minute = slot / hours.size();
        if (minute >= 60) {
            throw new IllegalArgumentException("more batches than (hour, minute) slots");
        }
        long ts = hour + minute * 60_000_000L + offsetSeconds * 1_000_000L;
        long[] org = new long[k], vm = new long[k];
        for (int i = 0; i < k; i++) {
            org[i] = series.get(i)[0];
            vm[i] = series.get(i)[1];
        }
        return new Batch(hour, ts, org, vm);
    }

    // ---- side path -------------------------------------------------------------------------

    /** The batch as the ingestion API's JSON body (what agents and the seeder send). */
    private static byte[] json(Batch b) {
        StringBuilder sb = new StringBuilder(b.size() * 160 + 16).append("{\"samples\":[");
        String[] names = {"cpu_usage", "memory_usage", "disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps"};
        for (int i = 0; i < b.size(); i++) {
            sb.append(i == 0 ? "{" : ",{").append("\"vm_id\":").append(b.vm()[i]).append(",\"ts\":").append(b.ts() / 1000);
            for (int m = 0; m < names.length; m++) {
                sb.append(",\"").append(names[m]).append("\":").append(VALUES[m]);
            }
            sb.append('}');
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends the batch through HTTP; returns its latency and the WAL of the ingest transaction. */
    private Cost ingest(IngestClient client, Batch b) throws Exception {
        byte[] body = json(b);
        String lsn = lsn();
        long t = System.nanoTime();
        IngestClient.Ack ack = client.post("/api/v1/metrics/vms", body);
        double ms = (System.nanoTime() - t) / 1e6;
        if (ack.accepted() != b.size()) {
            throw new IllegalStateException("batch of " + b.size() + " accepted " + ack.accepted());
        }
        // The ingest transaction wrote the late sample's row: its xmin names the transaction.
        long xid = longs(admin, "SELECT xmin::text::bigint FROM vm_metrics WHERE org_id = " + b.org()[0] + " AND vm_id = " + b.vm()[0]
                + " AND ts = timestamptz 'epoch' + " + b.ts() + " * interval '1 microsecond'").get(0);
        return new Cost(ms, wal(lsn, xid), 0, 0, Wal.NONE);
    }

    /** The batch down the side path: HTTP ingest, then the packer's fold of the dirty hour. */
    private Cost sidePath(IngestClient client, HistoryPacker packer, SimpleMeterRegistry registry, Batch b) throws Exception {
        Cost in = ingest(client, b);
        double foldBefore = registry.get("novacron_pack_hour").timer().totalTime(TimeUnit.MILLISECONDS);
        String lsn = lsn();
        long t = System.nanoTime();
        packer.packAll();
        double packAllMs = (System.nanoTime() - t) / 1e6;
        double foldMs = registry.get("novacron_pack_hour").timer().totalTime(TimeUnit.MILLISECONDS) - foldBefore;
        long pending = longs(admin, "SELECT (SELECT count(*) FROM metric_pack_dirty) + (SELECT count(*) FROM vm_metrics WHERE ts = timestamptz 'epoch' + "
                + b.ts() + " * interval '1 microsecond')").get(0);
        if (pending != 0 || foldMs == 0) {
            throw new IllegalStateException("the fold left " + pending + " dirty hours or rows");
        }
        // The fold rewrote the hour's touched blocks: their xmin names its transaction.
        long xid = longs(admin, "SELECT xmin::text::bigint FROM vm_metric_block WHERE org_id = " + b.org()[0] + " AND vm_id = " + b.vm()[0]
                + " AND block_start = timestamptz 'epoch' + " + b.hour() + " * interval '1 microsecond'").get(0);
        return new Cost(in.ingestMs(), in.ingestWal(), foldMs, packAllMs, wal(lsn, xid));
    }

    // ---- in-batch rewrite ------------------------------------------------------------------

    /**
     * The extra work of an in-batch rewrite, in one transaction of its own; returns its cost. The
     * time stops before the commit: in the real mechanism the batch's own commit flushes it (as
     * the fold's timer, inside {@code packHour}, stops before the fold's commit).
     */
    private Cost rewrite(Connection c, Batch b) throws SQLException {
        String lsn = lsn();
        long t = System.nanoTime();
        double ms;
        long xid;
        try {
            lockPackShared(c);
            PgCopyBuffer buf = mergedBlocks(c, b);
            try (Statement st = c.createStatement()) {
                st.execute(STAGE);
            }
            buf.copyInto(c, "COPY late_stage (org_id, vm_id, block_start, n, data) FROM STDIN (FORMAT binary)");
            try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                ps.setArray(1, c.createArrayOf("text", new String[] {Instant.ofEpochSecond(0, b.hour() * 1000).toString()}));
                int n = ps.executeUpdate();
                if (n != b.size()) {
                    throw new IllegalStateException("rewrote " + n + " of " + b.size() + " blocks");
                }
            }
            ms = (System.nanoTime() - t) / 1e6;
            xid = currentXid(c);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        return new Cost(ms, wal(lsn, xid), 0, 0, Wal.NONE);
    }

    /**
     * As the side path's batch does: held shared to commit, the packer (exclusive while it writes
     * blocks) cannot fold these blocks under the batch.
     */
    private static void lockPackShared(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtext(?))")) {
            ps.setString(1, PACK_LOCK);
            ps.execute();
        }
    }

    /** Locks the touched blocks in key order (no deadlock between batches), merges the late samples in. */
    private static PgCopyBuffer mergedBlocks(Connection c, Batch b) throws SQLException {
        Map<Long, Integer> at = new java.util.HashMap<>(); // vm_id -> index in the batch (one sample per series)
        for (int i = 0; i < b.size(); i++) {
            at.put(b.vm()[i], i);
        }
        Long[] hours = new Long[b.size()];
        Arrays.fill(hours, b.hour());
        PgCopyBuffer buf = new PgCopyBuffer(b.size() * 1200);
        int blocks = 0;
        try (PreparedStatement ps = c.prepareStatement(LOCK_BLOCKS)) {
            ps.setArray(1, c.createArrayOf("bigint", boxed(b.org())));
            ps.setArray(2, c.createArrayOf("bigint", boxed(b.vm())));
            ps.setArray(3, c.createArrayOf("bigint", hours));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    SeriesBlock merged = Blocks.merge(BlockCodec.decode(rs.getBytes(4)), lateBlock(b.ts()));
                    buf.startRow(5).int8(rs.getLong(1)).int8(rs.getLong(2)).timestamptz(b.hour()).int4(merged.size())
                            .bytea(BlockCodec.encode(merged));
                    at.remove(rs.getLong(2));
                    blocks++;
                }
            }
        }
        if (blocks != b.size() || !at.isEmpty()) {
            throw new IllegalStateException("found " + blocks + " of " + b.size() + " blocks");
        }
        return buf;
    }

    private static SeriesBlock lateBlock(long ts) {
        double[][] v = new double[MetricKind.METRICS][];
        for (int m = 0; m < v.length; m++) {
            v[m] = new double[] {VALUES[m]};
        }
        return SeriesBlock.complete(new long[] {ts}, v);
    }

    // ---- WAL and helpers -------------------------------------------------------------------

    private String lsn() throws SQLException {
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The WAL records (FPIs included) that transaction {@code xid} wrote since {@code from}. */
    private Wal wal(String from, long xid) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT coalesce(sum(record_length), 0), coalesce(sum(fpi_length), 0)"
                + " FROM pg_get_wal_records_info(?::pg_lsn, pg_current_wal_flush_lsn()) WHERE xid::text::bigint = ?")) {
            ps.setString(1, from);
            ps.setLong(2, xid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Wal(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    private static long currentXid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT (pg_current_xact_id()::text::bigint % 4294967296)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> longs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private static Long[] boxed(long[] v) {
        return Arrays.stream(v).boxed().toArray(Long[]::new);
    }

    // ---- the run ---------------------------------------------------------------------------

    /** Results of one K: a cost per batch for each series of batches. */
    record Row(int k, List<Cost> baseline, List<Cost> side, List<Cost> rewrite) {
    }

    private List<Row> run(int[] ks, int batches) throws Exception {
        // Even packed hours for the side path, odd ones for the rewrite: neither meets the other's blocks.
        List<Long> sideHours = new ArrayList<>(), rewriteHours = new ArrayList<>();
        for (int i = 0; i < packedHours.size(); i++) {
            (i % 2 == 0 ? sideHours : rewriteHours).add(packedHours.get(i));
        }
        List<Long> baseHours = List.of(unpackedHour, unpackedHour + 3_600_000_000L);
        long packedUntil = packedHours.get(packedHours.size() - 1) + 3_600_000_000L;
        String token = Tokens.generate();
        ServiceConfig cfg = ServiceConfig.from(Map.of("NOVACRON_DB_URL", url, "NOVACRON_PORT", "0", "NOVACRON_ADMIN_TOKEN", token,
                "NOVACRON_PACK_AFTER_MINUTES", "0", "NOVACRON_DB_STATEMENT_TIMEOUT_MS", "120000"));
        BenchRun.quietAccessLog();
        List<Row> rows = new ArrayList<>();
        try (Application app = Application.start(cfg); Connection c = DriverManager.getConnection(url, "postgres", "")) {
            c.setAutoCommit(false);
            IngestClient client = new IngestClient("http://127.0.0.1:" + app.port(), token);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // Fixed just past packed_until + the pack age: packAll finds no new hour to move.
            Clock clock = Clock.fixed(Instant.ofEpochMilli(packedUntil / 1000).plus(Duration.ofHours(2)), ZoneOffset.UTC);
            HistoryPacker packer = new HistoryPacker(new Tx(app.database().dataSource()), app.database().dataSource(),
                    Duration.ofHours(2), clock, registry);
            packer.packAll(); // anything left pending before the run, outside the figures
            int slot = 0;
            // Warm-up (JIT, connection pools, plans), not reported: slot 0 of each series of batches.
            ingest(client, batch(baseHours, slot, 100));
            sidePath(client, packer, registry, batch(sideHours, slot, 100));
            rewrite(c, batch(rewriteHours, slot, 100));
            for (int k : ks) {
                Row row = new Row(k, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                for (int j = 0; j < batches; j++) {
                    slot++;
                    row.baseline().add(ingest(client, batch(baseHours, slot, k)));
                    row.side().add(sidePath(client, packer, registry, batch(sideHours, slot, k)));
                    row.rewrite().add(rewrite(c, batch(rewriteHours, slot, k)));
                }
                rows.add(row);
                System.err.printf(Locale.ROOT, "K=%d done%n", k);
            }
        }
        return rows;
    }

    // ---- report ----------------------------------------------------------------------------

    private static double quantile(List<Cost> costs, ToDoubleFunction<Cost> f, double q) {
        double[] v = costs.stream().mapToDouble(f).sorted().toArray();
        return v[Math.max(0, (int) Math.ceil(q * v.length) - 1)]; // nearest rank
    }

    private static double median(List<Cost> costs, ToDoubleFunction<Cost> f) {
        return quantile(costs, f, 0.5);
    }

    private static String medP95(List<Cost> costs, ToDoubleFunction<Cost> f) {
        return String.format(Locale.ROOT, "%.1f / %.1f", median(costs, f), quantile(costs, f, 0.95));
    }

    /** The side path's extra work on the ingest path: its batch's median minus the baseline's. */
    private static double sideExtra(Row r) {
        return median(r.side(), Cost::ingestMs) - median(r.baseline(), Cost::ingestMs);
    }

    static void print(List<Row> rows, int batches) {
        System.out.printf("Latency, ms per batch, median / p95 (nearest rank) of %d batches%n%n", batches);
        System.out.println("| K | baseline ingest (unpacked hour) | side: ingest | side: fold tx | side: packAll (fold + VACUUM) | rewrite: extra work in the batch |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", r.k(), medP95(r.baseline(), Cost::ingestMs),
                    medP95(r.side(), Cost::ingestMs), medP95(r.side(), Cost::foldMs), medP95(r.side(), Cost::packAllMs),
                    medP95(r.rewrite(), Cost::ingestMs));
        }
        System.out.printf("%nExtra work per batch from the medians, ms (per late sample in brackets)%n%n");
        System.out.println("| K | side: on the ingest path (ingest − baseline) | side: fold tx | side: total | rewrite: on the ingest path (= total) |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            double extra = sideExtra(r), fold = median(r.side(), Cost::foldMs), rw = median(r.rewrite(), Cost::ingestMs);
            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", r.k(), ms(extra, r.k()), ms(fold, r.k()), ms(extra + fold, r.k()), ms(rw, r.k()));
        }
        System.out.printf("%nWAL bytes of the measured transactions, median per batch (per late sample; share of full-page images)%n%n");
        System.out.println("| K | baseline ingest | side: ingest | side: fold | side: ingest − baseline + fold | rewrite |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            double base = median(r.baseline(), c -> c.ingestWal().bytes()), in = median(r.side(), c -> c.ingestWal().bytes());
            double fold = median(r.side(), c -> c.foldWal().bytes()), rw = median(r.rewrite(), c -> c.ingestWal().bytes());
            System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %s | %s |%n", r.k(), wal(base, r.k(), r.baseline(), Cost::ingestWal),
                    wal(in, r.k(), r.side(), Cost::ingestWal), wal(fold, r.k(), r.side(), Cost::foldWal),
                    String.format(Locale.ROOT, "%,.0f (%,.0f)", in - base + fold, (in - base + fold) / r.k()), wal(rw, r.k(), r.rewrite(), Cost::ingestWal));
        }
    }

    private static String ms(double ms, int k) {
        return String.format(Locale.ROOT, "%.1f (%.3f)", ms, ms / k);
    }

    /** Median bytes, per sample, and the FPI share over all the batches. */
    private static String wal(double median, int k, List<Cost> costs, java.util.function.Function<Cost, Wal> f) {
        long bytes = costs.stream().mapToLong(c -> f.apply(c).bytes()).sum(), fpi = costs.stream().mapToLong(c -> f.apply(c).fpi()).sum();
        return String.format(Locale.ROOT, "%,.0f (%,.0f; %.0f%%)", median, median / k, bytes == 0 ? 0 : 100.0 * fpi / bytes);
    }

    /**
     * {@code java -cp novacron.jar:novacron-bench.jar io.novacron.bench.LatePathReference <jdbc-url> [batches per K] [K,K,...] [offset s]}.
     * Modifies the database (late samples stay in its blocks): use a copy, or another offset
     * (1-59 s past the minute, default 30) to run again on the same one.
     */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int[] ks = args.length > 2 ? Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 100, 1000, 2000};
        int offset = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        if (offset < 1 || offset > 59) {
            throw new IllegalArgumentException("offset must be 1-59 s: the generator's samples are on the minute");
        }
        List<Row> rows;
        try (Connection admin = DriverManager.getConnection(url, System.getProperty("user", "postgres"), "")) {
            try (Statement st = admin.createStatement()) {
                st.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
            }
            rows = new LatePathReference(url, admin, offset).run(ks, batches);
        }
        print(rows, batches);
    }
}
