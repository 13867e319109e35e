package io.novacron.metrics.block;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.novacron.db.Database;
import io.novacron.db.PgCopyBuffer;
import io.novacron.db.Tx;
import io.novacron.metrics.rollup.RollupScope;
import io.novacron.metrics.rollup.Watermarks;
import io.novacron.metrics.series.MetricKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * The {@code metric-packing} maintenance task: moves raw samples older than the pack age into
 * per-series hour blocks ({@link BlockCodec}), for VMs and nodes.
 *
 * <p>Per scope, each run:
 * <ol>
 *   <li>folds the <em>dirty</em> hours (late samples stored as rows below {@code packed_until}
 *       after their hour was moved) into their blocks: decode, merge, re-encode, upsert;</li>
 *   <li>moves {@code packed_until} to the newest hour that is both older than the pack age and
 *       built into the 5-minute and hour rollup tiers ({@code tier_until}, {@code hour_until}: the
 *       rollup compactor reads only raw rows of hours it has not built, and hour rows are built
 *       from 5-minute rows, which the move drops), under the exclusive
 *       rollup ingest lock: batches in flight finish first, later ones send samples before it
 *       down the late path ({@link PackedHistory});</li>
 *   <li>moves the hours from {@code moved_until} to {@code packed_until}, one transaction per
 *       hour: the hour's rows are read sorted by series, each series' samples encoded as one
 *       block, the blocks COPYed in and the rows deleted, the hour's 5-minute rollup rows deleted
 *       (below {@code packed_until} the blocks are the finest tier, {@link Watermarks#tierFrom}),
 *       {@code moved_until} advanced. The
 *       transaction holds the scope's pack lock exclusively, so the only other writers of rows
 *       below {@code packed_until} (late batches, which hold it shared) are excluded and the
 *       DELETE removes exactly the rows read (checked by count: a mismatch rolls back);</li>
 *   <li>VACUUMs the raw partitions it emptied, so their space is reused by the day's next
 *       inserts (or handed back when a day is empty): with autovacuum late or off, deleted rows
 *       would otherwise keep their pages; and the 5-minute rollup partition, for the same reason.</li>
 * </ol>
 * A kill at any point leaves each hour either all rows or all blocks: the move is one
 * transaction, and {@code moved_until} advances in it.
 */
public final class HistoryPacker {
    private static final Duration MAINTENANCE_TIMEOUT = Duration.ofMinutes(10);
    private static final int FETCH = 10_000;
    private static final Duration TRUNCATE_LOCK_WAIT = Duration.ofSeconds(1);

    private final Tx tx;
    private final DataSource ds;
    private final Duration packAge;
    private final Clock clock;
    private final Timer hours;
    private final Counter samples;

    /** @param packAge 0 turns packing off */
    public HistoryPacker(Tx tx, DataSource ds, Duration packAge, Clock clock, MeterRegistry registry) {
        this.tx = tx;
        this.ds = ds;
        this.packAge = packAge;
        this.clock = clock;
        this.hours = Timer.builder("novacron_pack_hour").description("hours of raw samples packed into blocks (or folded again)").register(registry);
        this.samples = Counter.builder("novacron_pack_moved_samples").description("raw samples moved into blocks").register(registry);
        for (String scope : List.of("vm", "node")) {
            gauge(registry, "novacron_history_samples", "samples of history (hot: estimate)", scope, "tier", "packed", "packed_samples");
            gauge(registry, "novacron_history_samples", "samples of history (hot: estimate)", scope, "tier", "hot", "hot_samples_estimate");
            for (String tier : List.of("packed", "hot", "rollup", "rollup_5m", "rollup_1h", "rollup_1d", "latest")) {
                gauge(registry, "novacron_history_bytes_per_sample", "bytes per raw sample of each storage tier", scope, "tier", tier,
                        tier + "_bytes_per_sample");
            }
            gauge(registry, "novacron_pack_backlog_hours", "hours below packed_until not moved yet", scope, null, null, "backlog_hours");
            gauge(registry, "novacron_pack_dirty_hours", "packed hours with late rows to fold", scope, null, null, "dirty_hours");
            Gauge.builder("novacron_pack_oldest_unpacked_hour_seconds", stats, s -> epoch(s.get().get(scope), "oldest_unpacked_hour"))
                    .description("start of the oldest hour still (partly) in rows, epoch seconds").tag("scope", scope).register(registry);
        }
    }

    /** The last {@link PackStats} read, by scope. */
    private final AtomicReference<Map<String, Map<String, Object>>> stats = new AtomicReference<>(Map.of());

    private void gauge(MeterRegistry registry, String name, String help, String scope, String tagKey, String tagValue, String column) {
        Gauge.Builder<AtomicReference<Map<String, Map<String, Object>>>> b = Gauge.builder(name, stats, s -> {
            Object v = s.get().getOrDefault(scope, Map.of()).get(column);
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }).description(help).tag("scope", scope);
        if (tagKey != null) {
            b = b.tag(tagKey, tagValue);
        }
        b.register(registry);
    }

    private static double epoch(Map<String, Object> row, String column) {
        Object v = row == null ? null : row.get(column);
        return v instanceof String t ? java.time.Instant.parse(t).getEpochSecond() : Double.NaN;
    }

    /** Refreshes what /metrics exports (cheap: counts and catalog sizes). */
    public void refreshStats() {
        stats.set(tx.read(c -> {
            Map<String, Map<String, Object>> m = new HashMap<>();
            for (Map<String, Object> row : PackStats.read(c)) {
                m.put((String) row.get("scope"), row);
            }
            return m;
        }));
    }

    /** Packs every scope as far as it may; returns samples moved. Ends early when interrupted. */
    public long packAll() {
        if (packAge.isZero()) {
            refreshStats();
            return 0;
        }
        long moved = 0;
        for (BlockTable t : BlockTable.values()) {
            TreeSet<String> emptied = new TreeSet<>();
            long scopeMoved = foldDirty(t, emptied);
            advance(t);
            scopeMoved += moveHours(t, emptied);
            vacuum(emptied);
            truncateEmptyDays(t, emptied);
            if (scopeMoved > 0) {
                // The 5-minute partition (V10) keeps only the unpacked hours' rows: its dropped
                // rows' space goes to the next hours' rows.
                vacuum(new TreeSet<>(List.of(rollupScope(t).table() + "_5m")));
            }
            moved += scopeMoved;
        }
        refreshStats();
        return moved;
    }

    private record State(long packedUntil, long movedUntil) {
    }

    private State state(Connection c, BlockTable t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT packed_until, moved_until FROM metric_pack_watermark WHERE scope = ?")) {
            ps.setString(1, t.scope());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp p = rs.getTimestamp(1), m = rs.getTimestamp(2);
                return new State(p == null ? Long.MIN_VALUE : BlockTable.micros(p), m == null ? Long.MIN_VALUE : BlockTable.micros(m));
            }
        }
    }

    private void advance(BlockTable t) {
        RollupScope scope = rollupScope(t);
        tx.inTransaction(c -> {
            Watermarks w = Watermarks.read(c, scope);
            // The move drops the hour's 5-minute rows: its hour row must be built from them first.
            long built = Math.min(w.tierUntil(), w.hourUntil());
            if (built == Watermarks.NONE) {
                return null;
            }
            long now = clock.millis() * 1000;
            long target = BlockTable.hourOf(Math.min(now - packAge.toNanos() / 1000, built));
            if (state(c, t).packedUntil >= target) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                ps.setString(1, Watermarks.ingestLockName(scope));
                ps.execute();
            }
            // Counts of days whose partitions retention dropped.
            try (PreparedStatement ps = c.prepareStatement("""
                    DELETE FROM metric_pack_stats WHERE scope = ? AND day < (
                        SELECT min(to_date(right(p.relname, 8), 'YYYYMMDD')) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                         WHERE i.inhparent = ?::regclass AND p.relname ~ '_p[0-9]{8}$')""")) {
                ps.setString(1, t.scope());
                ps.setString(2, t.table());
                ps.executeUpdate();
            }
            // A fresh scope starts with its oldest raw day: moved_until = that day's start.
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE metric_pack_watermark
                       SET packed_until = ?, moved_until = coalesce(moved_until, least(?, (
                           SELECT min(to_date(right(p.relname, 8), 'YYYYMMDD'))::timestamp AT TIME ZONE 'UTC'
                             FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
                            WHERE i.inhparent = ?::regclass AND p.relname ~ '_p[0-9]{8}$')))
                     WHERE scope = ? AND (packed_until IS NULL OR packed_until < ?)""")) {
                ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(target));
                ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(target));
                ps.setString(3, t.rawTable());
                ps.setString(4, t.scope());
                ps.setObject(5, io.novacron.metrics.series.BucketKey.timestamp(target));
                ps.executeUpdate();
            }
            return null;
        });
    }

    private long moveHours(BlockTable t, TreeSet<String> emptied) {
        long moved = 0;
        while (!Thread.currentThread().isInterrupted()) {
            long[] r = tx.inTransaction(c -> {
                lockExclusive(c, t); // before reading the state: another instance's packer may just have moved this hour
                State s = state(c, t);
                if (s.movedUntil == Long.MIN_VALUE || s.movedUntil >= s.packedUntil) {
                    return null;
                }
                long hour = firstHourWithRows(c, t, s.movedUntil, s.packedUntil);
                // Blocks of hours at or after moved_until are never written by a fold (it takes only
                // older hours), so a plain COPY cannot meet an existing block.
                long n = hour < s.packedUntil ? packHour(c, t, hour, false) : 0;
                try (PreparedStatement ps = c.prepareStatement("UPDATE metric_pack_watermark SET moved_until = ? WHERE scope = ?")) {
                    ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(Math.min(s.packedUntil, hour + BlockTable.SPAN_MICROS)));
                    ps.setString(2, t.scope());
                    ps.executeUpdate();
                }
                return new long[] {hour, n};
            });
            if (r == null) {
                break;
            }
            if (r[1] > 0) {
                emptied.add(partition(t, r[0]));
            }
            moved += r[1];
        }
        return moved;
    }

    /**
     * The first hour in [from, to) that has rows, or {@code to}: a fresh scope starts at its oldest
     * raw day, and a day may begin with hours without samples. Binary search on "any row in
     * [lo, mid)" probes (the ts BRIN, LIMIT 1) instead of one transaction per empty hour.
     */
    private static long firstHourWithRows(Connection c, BlockTable t, long from, long to) throws SQLException {
        long span = BlockTable.SPAN_MICROS;
        if (hasRows(c, t, from, Math.min(to, from + span))) {
            return from;
        }
        if (!hasRows(c, t, from, to)) {
            return to;
        }
        long lo = from, hi = to; // none in [from, lo), some in [lo, hi)
        while (hi - lo > span) {
            long mid = lo + Math.max(span, (hi - lo) / 2 / span * span);
            if (hasRows(c, t, lo, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return lo;
    }

    private static boolean hasRows(Connection c, BlockTable t, long from, long to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + t.rawTable() + " WHERE ts >= ? AND ts < ? LIMIT 1")) {
            ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(from));
            ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private long foldDirty(BlockTable t, TreeSet<String> emptied) {
        List<Long> dirty = tx.read(c -> {
            List<Long> h = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT d.hour FROM metric_pack_dirty d JOIN metric_pack_watermark w USING (scope)
                     WHERE d.scope = ? AND d.hour < w.moved_until ORDER BY 1""")) {
                ps.setString(1, t.scope());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        h.add(BlockTable.micros(rs.getTimestamp(1)));
                    }
                }
            }
            return h;
        });
        long moved = 0;
        for (long hour : dirty) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            moved += tx.inTransaction(c -> {
                lockExclusive(c, t);
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM metric_pack_dirty WHERE scope = ? AND hour = ?")) {
                    ps.setString(1, t.scope());
                    ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(hour));
                    ps.executeUpdate();
                }
                return packHour(c, t, hour, true);
            });
            emptied.add(partition(t, hour));
        }
        return moved;
    }

    /**
     * The scope's pack lock, and its compaction lock: a compactor round that folds late samples
     * into 5-minute rows read {@code packed_until} in its snapshot, so it must not overlap a move
     * that drops those rows (a row it wrote after the drop would stay, unread, until retention).
     */
    private static void lockExclusive(Connection c, BlockTable t) throws SQLException {
        Database.allowLongStatements(c, MAINTENANCE_TIMEOUT);
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL work_mem = '256MB'"); // an hour of rows sorted by series
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?)), pg_advisory_xact_lock(hashtext(?))")) {
            ps.setString(1, Watermarks.compactionLockName(rollupScope(t)));
            ps.setString(2, t.packLock());
            ps.execute();
        }
    }

    private static RollupScope rollupScope(BlockTable t) {
        return t == BlockTable.VM ? RollupScope.VM : RollupScope.NODE;
    }

    /**
     * Encodes the rows of [hour, hour + 1 h) into blocks and deletes them; with {@code merge},
     * each series' existing block is decoded and its samples merged in (its rows are late
     * samples: none repeats a packed timestamp, ingestion checked that). Returns rows moved.
     */
    private long packHour(Connection c, BlockTable t, long hour, boolean merge) throws SQLException {
        long start = System.nanoTime();
        MetricKind kind = t.kind();
        String cols = String.join(", ", kind.metrics());
        String select = "SELECT " + (t.twoKeys() ? "org_id, vm_id" : "0::bigint, node_id") + ", (extract(epoch FROM ts) * 1000000)::bigint, " + cols
                + " FROM " + t.rawTable() + " WHERE ts >= ? AND ts < ? ORDER BY 1, 2, 3";
        Map<List<Long>, SeriesBlock> existing = merge ? existingBlocks(c, t, hour) : Map.of();
        PgCopyBuffer buf = new PgCopyBuffer(1 << 20);
        long rows = 0;
        int blocks = 0;
        SeriesKeys keys = new SeriesKeys();
        try (PreparedStatement ps = c.prepareStatement(select)) {
            ps.setFetchSize(FETCH);
            ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(hour));
            ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(hour + BlockTable.SPAN_MICROS));
            try (ResultSet rs = ps.executeQuery()) {
                SeriesRows cur = null;
                while (rs.next()) {
                    long org = rs.getLong(1), series = rs.getLong(2);
                    if (cur == null || cur.org != org || cur.series != series) {
                        if (cur != null) {
                            writeBlock(buf, t, hour, cur, existing);
                            blocks++;
                        }
                        cur = new SeriesRows(org, series);
                        keys.add(org, series);
                    }
                    double[] v = new double[MetricKind.METRICS];
                    int fields = 0;
                    for (int m = 0; m < MetricKind.METRICS; m++) {
                        v[m] = rs.getDouble(4 + m);
                        fields |= rs.wasNull() ? 0 : 1 << m; // NULL: the sample lacks the metric
                    }
                    cur.add(rs.getLong(3), v, fields);
                    rows++;
                }
                if (cur != null) {
                    writeBlock(buf, t, hour, cur, existing);
                    blocks++;
                }
            }
        }
        if (rows == 0) {
            return 0;
        }
        String target = t.table() + " (" + t.keys() + ", block_start, n, data)";
        if (merge) {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TEMP TABLE IF NOT EXISTS pack_stage (LIKE " + t.table() + ") ON COMMIT DROP");
            }
            buf.copyInto(c, "COPY pack_stage (" + t.keys() + ", block_start, n, data) FROM STDIN (FORMAT binary)");
            try (Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO " + target + " SELECT " + t.keys() + ", block_start, n, data FROM pack_stage ORDER BY 1, 2"
                        + " ON CONFLICT (" + t.keys() + ", block_start) DO UPDATE SET n = EXCLUDED.n, data = EXCLUDED.data");
                st.execute("DROP TABLE pack_stage");
            }
        } else {
            buf.copyInto(c, "COPY " + target + " FROM STDIN (FORMAT binary)");
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO metric_pack_stats AS s (scope, day, blocks, samples) VALUES (?, ?, ?, ?)
                ON CONFLICT (scope, day) DO UPDATE SET blocks = s.blocks + EXCLUDED.blocks, samples = s.samples + EXCLUDED.samples""")) {
            ps.setString(1, t.scope());
            ps.setObject(2, java.time.LocalDate.ofEpochDay(Math.floorDiv(hour, 86_400_000_000L)));
            ps.setLong(3, blocks - existing.size());
            ps.setLong(4, rows);
            ps.executeUpdate();
        }
        dropFiveMinuteRows(c, t, hour, keys);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + t.rawTable() + " WHERE ts >= ? AND ts < ?")) {
            ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(hour));
            ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(hour + BlockTable.SPAN_MICROS));
            long deleted = ps.executeUpdate();
            if (deleted != rows) {
                throw new IllegalStateException("packing " + t.scope() + " hour " + hour + ": read " + rows + " rows, deleting " + deleted);
            }
        }
        hours.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        samples.increment(rows);
        return rows;
    }

    /**
     * Deletes the 5-minute rows of the hour for the series just packed (the only series that can
     * have any: the rows are built from raw samples): from now on the blocks are the hour's
     * finest tier ({@link Watermarks#tierFrom}). One probe of the tier's primary key
     * (keys, step_s, bucket) per series.
     */
    private static void dropFiveMinuteRows(Connection c, BlockTable t, long hour, SeriesKeys keys) throws SQLException {
        RollupScope scope = rollupScope(t);
        String match = t.twoKeys() ? "r.org_id = k.a AND r.vm_id = k.b" : "r.node_id = k.b";
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + scope.table() + " r USING unnest(?::bigint[], ?::bigint[]) AS k(a, b)"
                + " WHERE " + match + " AND r.step_s = 300 AND r.bucket >= ? AND r.bucket < ?")) {
            ps.setArray(1, c.createArrayOf("bigint", keys.a()));
            ps.setArray(2, c.createArrayOf("bigint", keys.b()));
            ps.setObject(3, io.novacron.metrics.series.BucketKey.timestamp(hour));
            ps.setObject(4, io.novacron.metrics.series.BucketKey.timestamp(hour + BlockTable.SPAN_MICROS));
            ps.executeUpdate();
        }
    }

    /** The series of an hour, in key order. */
    private static final class SeriesKeys {
        private long[] a = new long[1024], b = new long[1024];
        private int n;

        void add(long first, long second) {
            if (n == a.length) {
                a = Arrays.copyOf(a, n * 2);
                b = Arrays.copyOf(b, n * 2);
            }
            a[n] = first;
            b[n++] = second;
        }

        Long[] a() {
            return boxed(a);
        }

        Long[] b() {
            return boxed(b);
        }

        private Long[] boxed(long[] v) {
            Long[] out = new Long[n];
            for (int i = 0; i < n; i++) {
                out[i] = v[i];
            }
            return out;
        }
    }

    private static Map<List<Long>, SeriesBlock> existingBlocks(Connection c, BlockTable t, long hour) throws SQLException {
        Map<List<Long>, SeriesBlock> m = new HashMap<>();
        // Series with rows in the hour: one primary-key probe each.
        String sql = "SELECT " + (t.twoKeys() ? "b.org_id, b.vm_id" : "0::bigint, b.node_id") + ", b.data FROM " + t.table() + " b"
                + " WHERE b.block_start = ? AND (" + t.keys().replace("org_id", "b.org_id").replace("vm_id", "b.vm_id").replace("node_id", "b.node_id")
                + ") IN (SELECT DISTINCT " + t.keys() + " FROM " + t.rawTable() + " WHERE ts >= ? AND ts < ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, io.novacron.metrics.series.BucketKey.timestamp(hour));
            ps.setObject(2, io.novacron.metrics.series.BucketKey.timestamp(hour));
            ps.setObject(3, io.novacron.metrics.series.BucketKey.timestamp(hour + BlockTable.SPAN_MICROS));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    m.put(List.of(rs.getLong(1), rs.getLong(2)), BlockCodec.decode(rs.getBytes(3)));
                }
            }
        }
        return m;
    }

    /** One series' rows of the hour, in time order. */
    private static final class SeriesRows {
        final long org, series;
        long[] ts = new long[64];
        double[][] v = new double[MetricKind.METRICS][64];
        int[] fields = new int[64];
        int n;

        SeriesRows(long org, long series) {
            this.org = org;
            this.series = series;
        }

        void add(long t, double[] values, int present) {
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                fields = Arrays.copyOf(fields, n * 2);
                for (int m = 0; m < v.length; m++) {
                    v[m] = Arrays.copyOf(v[m], n * 2);
                }
            }
            ts[n] = t;
            fields[n] = present;
            for (int m = 0; m < v.length; m++) {
                v[m][n] = values[m];
            }
            n++;
        }

        SeriesBlock block() {
            double[][] cols = new double[v.length][];
            boolean[][] present = new boolean[v.length][];
            for (int m = 0; m < v.length; m++) {
                cols[m] = Arrays.copyOf(v[m], n);
                for (int i = 0; i < n; i++) {
                    if ((fields[i] & 1 << m) == 0) {
                        if (present[m] == null) {
                            present[m] = new boolean[n];
                            Arrays.fill(present[m], true);
                        }
                        present[m][i] = false;
                    }
                }
            }
            return new SeriesBlock(Arrays.copyOf(ts, n), cols, present);
        }
    }

    private static void writeBlock(PgCopyBuffer buf, BlockTable t, long hour, SeriesRows rows, Map<List<Long>, SeriesBlock> existing) {
        SeriesBlock block = rows.block();
        SeriesBlock old = existing.get(List.of(rows.org, rows.series));
        if (old != null) {
            block = Blocks.merge(old, block);
        }
        buf.startRow(t.twoKeys() ? 5 : 4);
        if (t.twoKeys()) {
            buf.int8(rows.org);
        }
        buf.int8(rows.series).timestamptz(hour).int4(block.size()).bytea(BlockCodec.encode(block));
    }

    private static String partition(BlockTable t, long micros) {
        java.time.LocalDate d = java.time.LocalDate.ofEpochDay(Math.floorDiv(micros, 86_400_000_000L));
        return t.rawTable() + "_p" + d.toString().replace("-", "");
    }

    /**
     * A day partition whose every hour is moved, and that holds no row, is TRUNCATEd: VACUUM
     * hands back its empty heap but not its primary-key index (measured on small: 36 MB of index
     * for an emptied day, 14 B per packed sample). Under the exclusive pack lock no late batch can
     * be inserting into it; the partition's own lock is waited for at most {@link #TRUNCATE_LOCK_WAIT}
     * (readers hold it), else the next run tries again.
     */
    private void truncateEmptyDays(BlockTable t, TreeSet<String> partitions) {
        for (String p : partitions) {
            long dayEnd = (java.time.LocalDate.parse(p.substring(p.length() - 8), java.time.format.DateTimeFormatter.BASIC_ISO_DATE)
                    .toEpochDay() + 1) * 86_400_000_000L;
            try {
                tx.inTransaction(c -> {
                    if (state(c, t).movedUntil < dayEnd) {
                        return null;
                    }
                    try (Statement st = c.createStatement()) {
                        st.execute("SET LOCAL lock_timeout = '" + TRUNCATE_LOCK_WAIT.toMillis() + "ms'");
                    }
                    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                        ps.setString(1, t.packLock());
                        ps.execute();
                    }
                    try (Statement st = c.createStatement()) {
                        st.execute("LOCK TABLE " + p + " IN ACCESS EXCLUSIVE MODE");
                        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + p + ")")) {
                            rs.next();
                            if (!rs.getBoolean(1)) {
                                st.execute("TRUNCATE " + p);
                            }
                        }
                    }
                    return null;
                });
            } catch (io.novacron.db.DbException e) {
                if (!io.novacron.db.SqlStates.LOCK_NOT_AVAILABLE.equals(e.sqlState())) {
                    throw e;
                }
            }
        }
    }

    /**
     * Rewrites ({@code VACUUM FULL}) what packing left mostly empty: the raw day partitions that
     * hold packed hours and still have rows, and the 5-minute rollup partitions. A running service
     * reuses that space (the next hours' rows and 5-minute rows fill what the moves freed), so this
     * matters only after a bulk load, where a whole day was written before any of it was packed:
     * on {@code small} it left 224 MB of raw heap for 0.3 M live rows. Each rewrite holds its
     * partition's ACCESS EXCLUSIVE lock (ingest and reads of it wait) for a time proportional to
     * its live rows; an operator's step ({@code novacron compact --reclaim}), never the task's.
     * Runs on an autocommit connection. Returns the bytes handed back.
     */
    public static long reclaim(Connection c) throws SQLException {
        List<String> targets = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT p.relname FROM metric_pack_watermark w
                  JOIN pg_inherits i ON i.inhparent = (w.scope || '_metrics')::regclass
                  JOIN pg_class p ON p.oid = i.inhrelid
                 WHERE p.relname ~ '_p[0-9]{8}$' AND w.moved_until IS NOT NULL
                   AND to_date(right(p.relname, 8), 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC' < w.moved_until
                UNION ALL
                SELECT w.scope || '_rollup_5m' FROM metric_pack_watermark w WHERE w.moved_until IS NOT NULL
                ORDER BY 1""")) {
            while (rs.next()) {
                targets.add(rs.getString(1));
            }
        }
        long before = 0, after = 0;
        String size = "SELECT pg_total_relation_size(?::regclass)";
        try (Statement st = c.createStatement()) {
            for (String table : targets) {
                before += io.novacron.db.Sql.count(c, size, table);
                st.execute("VACUUM (FULL, ANALYZE) " + table); // names from the catalog query above
                after += io.novacron.db.Sql.count(c, size, table);
            }
        }
        return before - after;
    }

    /** VACUUM cannot run in a transaction: an autocommit connection of its own. */
    private void vacuum(TreeSet<String> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setNetworkTimeout(Runnable::run, Math.toIntExact(MAINTENANCE_TIMEOUT.plusSeconds(30).toMillis()));
            st.execute("SET statement_timeout = " + MAINTENANCE_TIMEOUT.toMillis());
            for (String p : partitions) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                st.execute("VACUUM " + p);
            }
            st.execute("RESET statement_timeout");
        } catch (SQLException e) {
            throw new io.novacron.db.DbException(e);
        }
    }
}
