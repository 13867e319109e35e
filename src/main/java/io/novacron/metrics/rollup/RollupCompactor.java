package io.novacron.metrics.rollup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.novacron.db.Tx;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Folds the partial aggregates that ingestion appended to a {@code *_rollup_delta} table into
 * every tier of the scope's rollup table, in one transaction per round: closed-bucket delta rows
 * are deleted (RETURNING them), merged per tier key in Java (sketches cannot be merged in SQL),
 * merged with the tier rows already stored, and upserted in key order. Readers see a sample
 * either in the delta or in all tiers, never both, because the move is atomic and a query reads
 * tiers and delta in one snapshot; so there is no visible lag, only a longer delta to read.
 *
 * <p>Why asynchronous and append-only rather than tiers upserted in the batch's transaction:
 * sketches need a read-modify-write in Java, and every batch of a VM would rewrite its hour and
 * day rows (three tier rows per sample at one sample a minute per batch), under row locks that
 * concurrent batches of the same organization contend for. Appending a partial costs one COPY row
 * per touched 5-minute bucket and never waits on anyone; folding only closed buckets makes the
 * steady-state cost one tier write per bucket, not per batch. Measured costs are in
 * docs/benchmarks/ingest-*.md. An advisory lock keeps one compactor per scope across instances.
 */
public final class RollupCompactor {
    static final int ROUND_ROWS = 20_000;
    /** A bucket counts as closed this long after its end (samples arrive with some delay). */
    static final int OPEN_GRACE_SECONDS = 120;
    private static final int MAX_ROUNDS = 50;

    private final Tx tx;
    private final Timer rounds;
    private final Counter rows;
    /** When the compactor last found no closed bucket left in any delta (epoch ms). */
    private final AtomicLong caughtUpAt = new AtomicLong(System.currentTimeMillis());

    /**
     * Publishes {@code novacron_rollup_compaction_seconds}, {@code novacron_rollup_compacted_rows_total}
     * and {@code novacron_rollup_lag_seconds} (time since the deltas last held no closed bucket;
     * queries are never stale, this is how far the tiers trail the deltas).
     */
    public RollupCompactor(Tx tx, MeterRegistry registry) {
        this.tx = tx;
        Gauge.builder("novacron_rollup_lag_seconds", caughtUpAt, t -> (System.currentTimeMillis() - t.get()) / 1000.0)
                .description("seconds since the rollup deltas were last fully compacted").register(registry);
        this.rounds = Timer.builder("novacron_rollup_compaction").description("rollup compaction rounds").register(registry);
        this.rows = Counter.builder("novacron_rollup_compacted_rows").description("delta rows folded into the rollup tiers").register(registry);
    }

    /** Compacts every scope until its delta is empty (or a bounded number of rounds ran); returns rows moved. */
    public long compactAll() {
        long moved = 0;
        boolean caughtUp = true;
        for (RollupScope scope : RollupScope.values()) {
            int n = ROUND_ROWS;
            for (int round = 0; round < MAX_ROUNDS && n == ROUND_ROWS; round++) {
                n = compactRound(scope);
                moved += n;
            }
            caughtUp &= n < ROUND_ROWS;
        }
        if (caughtUp) {
            caughtUpAt.set(System.currentTimeMillis());
        }
        return moved;
    }

    int compactRound(RollupScope scope) {
        long start = System.nanoTime();
        int moved = tx.inTransaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "rollup_compaction_" + scope.table());
                try (ResultSet rs = lock.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return 0;
                    }
                }
            }
            List<Map.Entry<BucketKey, Aggregate>> partials = takeDelta(c, scope);
            if (partials.isEmpty()) {
                return 0;
            }
            for (int step : scope.stepsSeconds()) {
                TreeMap<BucketKey, Aggregate> tier = new TreeMap<>();
                long stepMicros = step * 1_000_000L;
                for (Map.Entry<BucketKey, Aggregate> p : partials) {
                    BucketKey k = p.getKey();
                    BucketKey tk = new BucketKey(k.a(), k.b(), BucketKey.bin(k.bucketMicros(), stepMicros));
                    tier.computeIfAbsent(tk, x -> new Aggregate(true)).merge(p.getValue());
                }
                mergeExisting(c, scope, step, tier);
                upsertTier(c, scope, step, tier);
            }
            return partials.size();
        });
        if (moved > 0) {
            rounds.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            rows.increment(moved);
        }
        return moved;
    }

    private static List<Map.Entry<BucketKey, Aggregate>> takeDelta(Connection c, RollupScope scope) throws SQLException {
        // Only closed buckets: a bucket still receiving samples stays in the delta (queries read it
        // there), so in steady state its partials are folded once instead of once per batch.
        // <delta>_bucket_brin: the delta is appended in roughly time order.
        String sql = "DELETE FROM " + scope.deltaTable() + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + scope.deltaTable()
                + " WHERE bucket < now() - ? * interval '1 second' LIMIT " + ROUND_ROWS + "))"
                + " RETURNING " + keyExpr(scope) + ", date_part('epoch', bucket), n, sums, mins, maxs, sketches";
        List<Map.Entry<BucketKey, Aggregate>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, scope.finestSeconds() + OPEN_GRACE_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Map.entry(key(rs), aggregate(rs, 4, true)));
                }
            }
        }
        return out;
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
        String sql = "SELECT " + keyExpr(scope) + ", date_part('epoch', bucket), n, sums, mins, maxs, sketches FROM " + scope.table()
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
                        existing.merge(aggregate(rs, 4, true));
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
                    + " mins = EXCLUDED.mins, maxs = EXCLUDED.maxs, sketches = EXCLUDED.sketches");
        }
    }

    private static String keyExpr(RollupScope scope) {
        return scope.keys().size() == 2 ? scope.keyList() : scope.keyList() + ", 0";
    }

    public static BucketKey key(ResultSet rs) throws SQLException {
        return new BucketKey(rs.getLong(1), rs.getLong(2), Math.round(rs.getDouble(3) * 1_000_000d));
    }

    /** Reads n, sums, mins, maxs[, sketches] starting at column {@code col}. */
    public static Aggregate aggregate(ResultSet rs, int col, boolean sketches) throws SQLException {
        return Aggregate.of(rs.getLong(col), doubles(rs.getArray(col + 1)), doubles(rs.getArray(col + 2)),
                doubles(rs.getArray(col + 3)), sketches ? rs.getBytes(col + 4) : null);
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
}
