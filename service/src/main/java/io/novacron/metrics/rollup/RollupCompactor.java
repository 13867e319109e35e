package io.novacron.metrics.rollup;

import io.novacron.metrics.series.BucketKey;
import io.novacron.metrics.series.Aggregate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.novacron.db.Database;
import io.novacron.db.DbException;
import io.novacron.db.SqlStates;
import io.novacron.db.Tx;
import io.novacron.metrics.series.MetricKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the rollup tiers complete.
 *
 * <p><b>Series (VM, node).</b> Built from the raw samples behind {@link Watermarks}, in rounds:
 * <ol>
 *   <li>move {@code ingest_until} forward by a chunk, under the scope's exclusive ingest lock
 *       (waits for the batches in flight; from then on, samples of earlier buckets are "late" and
 *       also append a partial to the delta), and commit;</li>
 *   <li>in one REPEATABLE READ transaction: once {@code ingest_until} has passed an hour
 *       boundary, aggregate the raw samples of [{@code tier_until}, that hour) into new 5-minute
 *       rows, series by series (a series' rows land together), delete the delta partials of that range
 *       (their samples are in the raw rows just read, and later ones are not: both belong to the
 *       same batches), fold the older delta partials (late samples) into every tier whose
 *       watermark is past them, build the 1-hour rows of the hours now complete from the
 *       5-minute rows and the 1-day rows from the hour rows, and move the watermarks.</li>
 * </ol>
 * Ingestion thus writes only raw rows in the common case, each bucket is written once per tier
 * instead of once per batch, and a query reads every tier below its watermark plus raw samples
 * past it, in one snapshot: nothing is ever missing or counted twice, whatever the lag.
 *
 * <p>{@code ingest_until} trails the newest sample (and the clock) by {@link #GRACE}: a bulk load
 * in time order, or a collector a few minutes behind the others, still takes the raw-only path.
 *
 * <p><b>Organizations.</b> Ingestion appends a partial per (org, minute) for every batch; closed
 * buckets are folded into every tier here (reading all of a tenant's raw samples past a watermark
 * would cost what the tiers save).
 *
 * <p>Sketches need a read-modify-write in Java, so folding reads the stored tier rows it merges
 * into. An advisory lock keeps one compactor per scope across instances.
 */
public final class RollupCompactor {
    static final int ROUND_ROWS = 20_000;
    /** An organization bucket counts as closed this long after its end (samples arrive with some delay). */
    static final int OPEN_GRACE_SECONDS = 120;
    /** How far {@code ingest_until} stays behind the newest sample and the clock. */
    static final Duration GRACE = Duration.ofMinutes(10);
    /**
     * How far {@code ingest_until} moves per round. Short, so that few samples in flight become
     * "late"; the 5-minute rows are built per whole hour of it.
     */
    static final Duration CHUNK = Duration.ofMinutes(5);
    private static final int MAX_ROUNDS = 400;
    /**
     * The pool's statement timeout is for requests. A round reads up to a chunk of raw samples, and
     * once a day all hour rows of the day (2.4 M on the large dataset): under load that took more
     * than 15 s, and a round that always times out never moves its watermarks.
     */
    private static final Duration MAINTENANCE_TIMEOUT = Duration.ofMinutes(10);
    /** An hour of raw samples sorted by series: 6 M rows on the large dataset (the default 4 MB spills every run). */
    private static final String SORT_MEMORY = "SET LOCAL work_mem = '256MB'";
    private static final long MINUTE_5 = 300_000_000L, HOUR = 3_600_000_000L, DAY = 86_400_000_000L;

    private final Tx tx;
    private final Duration rawRetention;
    private final Clock clock;
    private final Timer rounds;
    private final Counter rows;
    /** When the compactor last had nothing left to do (epoch ms). */
    private final AtomicLong caughtUpAt = new AtomicLong();

    /**
     * Publishes {@code novacron_rollup_compaction_seconds}, {@code novacron_rollup_compacted_rows_total}
     * and {@code novacron_rollup_lag_seconds} (time since the compactor last had nothing to do;
     * queries are never stale, this is how much raw data they read beyond the tiers).
     */
    public RollupCompactor(Tx tx, Duration rawRetention, Clock clock, MeterRegistry registry) {
        this.tx = tx;
        this.rawRetention = rawRetention;
        this.clock = clock;
        caughtUpAt.set(clock.millis());
        Gauge.builder("novacron_rollup_lag_seconds", caughtUpAt, t -> (clock.millis() - t.get()) / 1000.0)
                .description("seconds since the rollup compactor last had nothing left to do").register(registry);
        this.rounds = Timer.builder("novacron_rollup_compaction").description("rollup compaction rounds").register(registry);
        this.rows = Counter.builder("novacron_rollup_compacted_rows").description("raw samples and delta rows folded into the rollup tiers").register(registry);
    }

    /**
     * Compacts every scope until none has work left (or a bounded number of rounds ran); returns
     * rows folded. Scopes take turns, one round each, so a long catch-up of one cannot starve the
     * others (a bulk load keeps the VM scope busy for minutes while organization partials arrive).
     * An interrupt (the service stopping) ends it after the current round; the rest waits for the next run.
     */
    public long compactAll() {
        long moved = 0;
        boolean more = true;
        for (int round = 0; round < MAX_ROUNDS && more && !Thread.currentThread().isInterrupted(); round++) {
            more = false;
            for (RollupScope scope : RollupScope.values()) {
                long start = System.nanoTime();
                long n;
                if (scope.watermarked()) {
                    boolean advanced = advanceIngest(scope);
                    long[] r = seriesRound(scope);
                    n = r[0];
                    more |= advanced || r[1] != 0;
                } else {
                    n = organizationRound();
                    more |= n == ROUND_ROWS;
                }
                if (n > 0) {
                    rounds.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    rows.increment(n);
                }
                moved += n;
            }
        }
        if (!more) {
            caughtUpAt.set(clock.millis());
        }
        return moved;
    }

    // ---------------------------------------------------------------- series scopes

    /**
     * Step 1: moves {@code ingest_until} one chunk forward (over days without a raw partition at
     * once), never past {@link #GRACE} before the newest sample and the clock.
     */
    boolean advanceIngest(RollupScope scope) {
        try {
            return tx.inTransaction(c -> {
                // One compactor per scope for both steps: both update the scope's watermark row, and
                // the round's REPEATABLE READ update would fail on a move committed since its snapshot.
                if (!tryLock(c, scope)) {
                    return false;
                }
                Watermarks w = Watermarks.read(c, scope);
                long newest = newestSample(c, scope);
                if (newest == Watermarks.NONE) {
                    return false; // nothing ingested yet
                }
                long start = w.ingestUntil() == Watermarks.NONE ? oldestAdmitted() : w.ingestUntil();
                long horizon = Math.min(micros(clock.instant()), newest) - GRACE.toNanos() / 1000;
                long from = Math.max(start, firstPartitionDay(c, scope, start));
                long target = Math.floorDiv(Math.min(horizon, firstSampleChunk(c, scope, from, horizon) + CHUNK.toNanos() / 1000), MINUTE_5) * MINUTE_5;
                if (target <= start) {
                    return false;
                }
                try (Statement st = c.createStatement()) {
                    st.execute("SET LOCAL lock_timeout = '5s'");
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                    ps.setString(1, Watermarks.ingestLockName(scope));
                    ps.execute(); // waits for the batches in flight, which read the old ingest_until
                }
                // The first move also sets the tier watermarks: nothing older than the raw retention is admitted.
                String sql = "UPDATE rollup_watermark SET ingest_until = ?, tier_until = coalesce(tier_until, ?),"
                        + " hour_until = coalesce(hour_until, ?), day_until = coalesce(day_until, ?)"
                        + " WHERE scope = ? AND ingest_until IS NOT DISTINCT FROM ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setObject(1, BucketKey.timestamp(target));
                    ps.setObject(2, BucketKey.timestamp(start));
                    ps.setObject(3, BucketKey.timestamp(start));
                    ps.setObject(4, BucketKey.timestamp(start));
                    ps.setString(5, scope.watermarkName());
                    ps.setObject(6, w.ingestUntil() == Watermarks.NONE ? null : BucketKey.timestamp(w.ingestUntil()));
                    return ps.executeUpdate() == 1;
                }
            });
        } catch (DbException e) {
            if (e.getCause() instanceof SQLException q && SqlStates.LOCK_NOT_AVAILABLE.equals(q.getSQLState())) {
                return false; // batches held the ingest lock for 5 s; try again next round
            }
            throw e;
        }
    }

    /**
     * Start of the first 5-minute chunk in [from, horizon) that holds a sample (or {@code from}), by
     * bisection with {@code LIMIT 1} probes (BRIN on ts): a gap of a day costs about ten probes
     * instead of 288 empty rounds, and a chunk never grows past {@link #CHUNK} of data.
     */
    private static long firstSampleChunk(Connection c, RollupScope scope, long from, long horizon) throws SQLException {
        long step = CHUNK.toNanos() / 1000;
        if (horizon - from <= step || hasSample(c, scope, from, from + step)) {
            return from;
        }
        long lo = from + step, hi = horizon; // no sample in [from, lo)
        if (!hasSample(c, scope, lo, hi)) {
            return Math.floorDiv(hi, MINUTE_5) * MINUTE_5 - step; // nothing up to the horizon
        }
        while (hi - lo > step) {
            long mid = lo + Math.max(step, Math.floorDiv((hi - lo) / 2, MINUTE_5) * MINUTE_5);
            if (hasSample(c, scope, lo, mid)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return Math.floorDiv(lo, MINUTE_5) * MINUTE_5;
    }

    private static boolean hasSample(Connection c, RollupScope scope, long from, long to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + scope.rawTable() + " WHERE ts >= ? AND ts < ? LIMIT 1")) {
            ps.setObject(1, BucketKey.timestamp(from));
            ps.setObject(2, BucketKey.timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Start of the first day at or after {@code from}'s day that has a raw partition (or {@code from}). */
    private static long firstPartitionDay(Connection c, RollupScope scope, long from) throws SQLException {
        // Partitions are named <raw>_pYYYYMMDD (V10 ensure_metric_partitions).
        String sql = "SELECT min(to_date(right(p.relname, 8), 'YYYYMMDD')) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid"
                + " WHERE i.inhparent = ?::regclass AND p.relname ~ '_p[0-9]{8}$' AND to_date(right(p.relname, 8), 'YYYYMMDD') >= ?::date";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, scope.rawTable());
            ps.setObject(2, java.time.LocalDate.ofEpochDay(Math.floorDiv(from, DAY)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                java.sql.Date d = rs.getDate(1);
                return d == null ? from : d.toLocalDate().toEpochDay() * DAY;
            }
        }
    }

    /** The first day the raw retention admits: where a fresh database's tiers start. */
    private long oldestAdmitted() {
        long oldest = micros(clock.instant()) - rawRetention.toNanos() / 1000;
        return Math.floorDiv(oldest, DAY) * DAY;
    }

    private static long newestSample(Connection c, RollupScope scope) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT max(ts) FROM " + scope.latestTable())) {
            rs.next();
            java.sql.Timestamp t = rs.getTimestamp(1);
            return t == null ? Watermarks.NONE : t.getTime() * 1000;
        }
    }

    /** Step 2; returns {rows folded, 1 if a watermark moved or partials were folded}. */
    long[] seriesRound(RollupScope scope) {
        return tx.inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            }
            Database.allowLongStatements(c, MAINTENANCE_TIMEOUT);
            if (!tryLock(c, scope)) {
                return new long[] {0, 0};
            }
            Watermarks w = Watermarks.read(c, scope);
            if (w.ingestUntil() == Watermarks.NONE) {
                return new long[] {0, 0};
            }
            long folded = 0;
            long tier = w.tierUntil();
            long fiveUntil = Math.floorDiv(w.ingestUntil(), HOUR) * HOUR; // whole hours: see buildFiveMinute
            if (fiveUntil > tier) {
                deleteDelta(c, scope, tier, fiveUntil);
                folded += buildFiveMinute(c, scope, tier, fiveUntil);
                tier = fiveUntil;
            }
            // Late samples: partials of buckets the tiers already hold.
            List<Map.Entry<BucketKey, Aggregate>> late = takeDelta(c, scope, "bucket < ?", BucketKey.timestamp(tier));
            fold(c, scope, late, new Watermarks(w.ingestUntil(), tier, w.hourUntil(), w.dayUntil(), w.packedUntil()));
            folded += late.size();
            long hour = Math.min(Math.floorDiv(tier, HOUR) * HOUR, w.hourUntil() + 24 * HOUR);
            for (long h = w.hourUntil(); h < hour; h += HOUR) {
                build(c, scope, 300, 3600, h, h + HOUR);
            }
            hour = Math.max(hour, w.hourUntil());
            long day = Math.max(Math.floorDiv(hour, DAY) * DAY, w.dayUntil());
            for (long d = w.dayUntil(); d < day; d += DAY) {
                build(c, scope, 3600, 86400, d, d + DAY);
            }
            boolean moved = tier != w.tierUntil() || hour != w.hourUntil() || day != w.dayUntil();
            if (moved) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE rollup_watermark SET tier_until = ?, hour_until = ?, day_until = ? WHERE scope = ?")) {
                    ps.setObject(1, BucketKey.timestamp(tier));
                    ps.setObject(2, BucketKey.timestamp(hour));
                    ps.setObject(3, BucketKey.timestamp(day));
                    ps.setString(4, scope.watermarkName());
                    ps.executeUpdate();
                }
            }
            return new long[] {folded, moved || !late.isEmpty() ? 1 : 0};
        });
    }

    private static void deleteDelta(Connection c, RollupScope scope, long from, long to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + scope.deltaTable() + " WHERE bucket >= ? AND bucket < ?")) {
            ps.setObject(1, BucketKey.timestamp(from));
            ps.setObject(2, BucketKey.timestamp(to));
            ps.executeUpdate();
        }
    }

    /**
     * Builds the 5-minute rows of [from, to) from the raw samples, one series at a time: the raw
     * rows come sorted by series, and each series' buckets are written as soon as it ends. Memory
     * is one series' buckets and a COPY buffer, whatever the fleet's size, and the rows of one
     * series land next to each other: built an hour at a time, one VM's day of 5-minute rows sits on
     * about 24 pages instead of 288 (one per row when every 5 minutes wrote a row per series).
     * Returns the samples read.
     */
    private static long buildFiveMinute(Connection c, RollupScope scope, long from, long to) throws SQLException {
        MetricKind kind = scope.kind();
        // <raw>_ts_brin finds the time slice; the sort (in work_mem, else on disk) groups it by series.
        String sql = "SELECT " + keyExpr(scope) + ", date_part('epoch', ts), " + String.join(", ", kind.metrics())
                + " FROM " + scope.rawTable() + " WHERE ts >= ? AND ts < ? ORDER BY 1, 2";
        try (Statement st = c.createStatement()) {
            st.execute(SORT_MEMORY);
        }
        long n = 0;
        double[] v = new double[MetricKind.METRICS];
        TreeMap<Long, Aggregate> buckets = new TreeMap<>();
        long a = 0, b = 0;
        try (RollupRows.TierWriter out = RollupRows.tierWriter(c, scope, 300, ROUND_ROWS);
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(10_000);
            ps.setObject(1, BucketKey.timestamp(from));
            ps.setObject(2, BucketKey.timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long ka = rs.getLong(1), kb = rs.getLong(2);
                    if (ka != a || kb != b) {
                        writeSeries(out, a, b, buckets);
                        a = ka;
                        b = kb;
                    }
                    long t = Math.round(rs.getDouble(3) * 1_000_000d);
                    for (int m = 0; m < MetricKind.METRICS; m++) {
                        v[m] = rs.getDouble(4 + m);
                        if (rs.wasNull()) {
                            v[m] = Double.NaN; // the sample lacks this metric
                        }
                    }
                    buckets.computeIfAbsent(BucketKey.bin(t, MINUTE_5), x -> new Aggregate(true)).add(t, v);
                    n++;
                }
            }
            writeSeries(out, a, b, buckets);
        }
        return n;
    }

    private static void writeSeries(RollupRows.TierWriter out, long a, long b, TreeMap<Long, Aggregate> buckets) throws SQLException {
        for (Map.Entry<Long, Aggregate> e : buckets.entrySet()) {
            out.write(new BucketKey(a, b, e.getKey()), e.getValue());
        }
        buckets.clear();
    }

    /** Builds the {@code toStep} rows of [from, to) from the complete {@code fromStep} rows. */
    private static void build(Connection c, RollupScope scope, int fromStep, int toStep, long from, long to) throws SQLException {
        long stepMicros = toStep * 1_000_000L;
        Map<BucketKey, Aggregate> out = new HashMap<>();
        // <tier>_bucket_brin: tier rows are written in time order.
        String sql = "SELECT " + keyExpr(scope) + ", date_part('epoch', bucket), " + RollupRows.selectColumns("sketches") + " FROM " + scope.table()
                + " WHERE step_s = ? AND bucket >= ? AND bucket < ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(10_000);
            ps.setInt(1, fromStep);
            ps.setObject(2, BucketKey.timestamp(from));
            ps.setObject(3, BucketKey.timestamp(to));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    BucketKey k = key(rs);
                    out.computeIfAbsent(new BucketKey(k.a(), k.b(), BucketKey.bin(k.bucketMicros(), stepMicros)),
                            x -> new Aggregate(true)).merge(aggregate(rs, 4, Aggregate.ALL_METRICS));
                }
            }
        }
        insertTier(c, scope, toStep, out);
    }

    /** New tier rows (their buckets lie past the tier's watermark, so none exists yet). */
    private static void insertTier(Connection c, RollupScope scope, int step, Map<BucketKey, Aggregate> rows) throws SQLException {
        if (!rows.isEmpty()) {
            RollupRows.copyTier(c, scope.table(), scope, step, new TreeMap<>(rows));
        }
    }

    // ---------------------------------------------------------------- organizations

    int organizationRound() {
        RollupScope scope = RollupScope.ORG;
        return tx.inTransaction(c -> {
            Database.allowLongStatements(c, MAINTENANCE_TIMEOUT);
            if (!tryLock(c, scope)) {
                return 0;
            }
            // Only closed buckets: a bucket still receiving samples stays in the delta (queries read it
            // there), so in steady state its partials are folded once instead of once per batch.
            List<Map.Entry<BucketKey, Aggregate>> partials = takeDelta(c, scope, "bucket < now() - ? * interval '1 second'",
                    scope.finestSeconds() + OPEN_GRACE_SECONDS);
            fold(c, scope, partials, Watermarks.ALWAYS);
            return partials.size();
        });
    }

    // ---------------------------------------------------------------- folding partials

    private static boolean tryLock(Connection c, RollupScope scope) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, Watermarks.compactionLockName(scope));
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Deletes up to {@link #ROUND_ROWS} delta rows matching {@code where} and returns them. */
    private static List<Map.Entry<BucketKey, Aggregate>> takeDelta(Connection c, RollupScope scope, String where, Object param)
            throws SQLException {
        // <delta>_bucket_brin: the delta is appended in roughly time order.
        String sql = "DELETE FROM " + scope.deltaTable() + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + scope.deltaTable()
                + " WHERE " + where + " LIMIT " + ROUND_ROWS + "))"
                + " RETURNING " + keyExpr(scope) + ", date_part('epoch', bucket), " + RollupRows.selectColumns("sketches");
        List<Map.Entry<BucketKey, Aggregate>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Map.entry(key(rs), aggregate(rs, 4, Aggregate.ALL_METRICS)));
                }
            }
        }
        return out;
    }

    /** Merges partials into every tier whose watermark lies past their bucket. */
    private static void fold(Connection c, RollupScope scope, List<Map.Entry<BucketKey, Aggregate>> partials, Watermarks w)
            throws SQLException {
        if (partials.isEmpty()) {
            return;
        }
        for (int step : scope.stepsSeconds()) {
            TreeMap<BucketKey, Aggregate> tier = new TreeMap<>();
            long stepMicros = step * 1_000_000L;
            long limit = w.tierLimit(step), from = w.tierFrom(step);
            for (Map.Entry<BucketKey, Aggregate> p : partials) {
                BucketKey k = p.getKey();
                // Before `from` the tier is the packed history, which holds the late sample itself.
                if (k.bucketMicros() < limit && k.bucketMicros() >= from) {
                    BucketKey tk = new BucketKey(k.a(), k.b(), BucketKey.bin(k.bucketMicros(), stepMicros));
                    tier.computeIfAbsent(tk, x -> new Aggregate(true)).merge(p.getValue());
                }
            }
            if (!tier.isEmpty()) {
                mergeExisting(c, scope, step, tier);
                upsertTier(c, scope, step, tier);
            }
        }
    }

    private static void mergeExisting(Connection c, RollupScope scope, int step, TreeMap<BucketKey, Aggregate> tier) throws SQLException {
        int n = tier.size();
        Object[] a = new Object[n], b = new Object[n], t = new Object[n];
        int i = 0;
        for (BucketKey k : tier.keySet()) {
            a[i] = k.a();
            b[i] = k.b();
            t[i] = k.bucketMicros();
            i++;
        }
        boolean two = scope.keys().size() == 2;
        // The tier's primary key (keys, step_s, bucket): one probe per touched bucket.
        String sql = "SELECT " + keyExpr(scope) + ", date_part('epoch', bucket), " + RollupRows.selectColumns("sketches") + " FROM " + scope.table()
                + " WHERE step_s = ? AND (" + scope.keyList() + ", bucket) IN (SELECT k1, " + (two ? "k2, " : "")
                + "timestamptz 'epoch' + kt * interval '1 microsecond' FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS u(k1, k2, kt))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, step);
            ps.setArray(2, c.createArrayOf("bigint", a));
            ps.setArray(3, c.createArrayOf("bigint", b));
            ps.setArray(4, c.createArrayOf("bigint", t));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Aggregate existing = tier.get(key(rs));
                    if (existing != null) {
                        existing.merge(aggregate(rs, 4, Aggregate.ALL_METRICS));
                    }
                }
            }
        }
    }

    private static void upsertTier(Connection c, RollupScope scope, int step, TreeMap<BucketKey, Aggregate> tier) throws SQLException {
        String stage = scope.table() + "_stage";
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + scope.table() + ") ON COMMIT DELETE ROWS");
            st.execute("TRUNCATE " + stage);
        }
        RollupRows.copyTier(c, stage, scope, step, tier);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + scope.table() + " SELECT * FROM " + stage + " ORDER BY " + scope.keyList() + ", bucket"
                    + " ON CONFLICT (" + scope.keyList() + ", step_s, bucket) DO UPDATE SET n = EXCLUDED.n, sums = EXCLUDED.sums,"
                    + " mins = EXCLUDED.mins, maxs = EXCLUDED.maxs, sketches = EXCLUDED.sketches,"
                    + " first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts, counts = EXCLUDED.counts");
        }
    }

    private static String keyExpr(RollupScope scope) {
        return scope.keys().size() == 2 ? scope.keyList() : scope.keyList() + ", 0";
    }

    private static BucketKey key(ResultSet rs) throws SQLException {
        return new BucketKey(rs.getLong(1), rs.getLong(2), Math.round(rs.getDouble(3) * 1_000_000d));
    }

    /**
     * Reads {@link RollupRows#selectColumns} starting at column {@code col}, with the sketches of
     * the metrics in {@code sketchMask} (0: none; the sketch column may then be NULL).
     */
    public static Aggregate aggregate(ResultSet rs, int col, int sketchMask) throws SQLException {
        long first = Math.round(rs.getDouble(col + 5) * 1_000_000d);
        if (rs.wasNull()) {
            first = Aggregate.UNKNOWN;
        }
        long last = Math.round(rs.getDouble(col + 6) * 1_000_000d);
        java.sql.Array counts = rs.getArray(col + 7);
        return Aggregate.of(rs.getLong(col), counts == null ? null : longs(counts), doubles(rs.getArray(col + 1)), doubles(rs.getArray(col + 2)),
                doubles(rs.getArray(col + 3)), sketchMask != 0 ? rs.getBytes(col + 4) : null, sketchMask, first, last);
    }

    static long[] longs(java.sql.Array a) throws SQLException {
        Object o = a.getArray();
        if (o instanceof long[] l) {
            return l;
        }
        Long[] boxed = (Long[]) o;
        long[] l = new long[boxed.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = boxed[i];
        }
        return l;
    }

    static double[] doubles(java.sql.Array a) throws SQLException {
        Object o = a.getArray();
        if (o instanceof double[] d) {
            return d;
        }
        Double[] boxed = (Double[]) o;
        double[] d = new double[boxed.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = boxed[i];
        }
        return d;
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

}
