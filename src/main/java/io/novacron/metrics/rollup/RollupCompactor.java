package io.novacron.metrics.rollup;

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

/**
 * Folds the partial aggregates that ingestion appended to a {@code *_rollup_delta} table into
 * every tier of the scope's rollup table, in one transaction per round: the delta rows are
 * deleted (RETURNING them), merged per tier key in Java (sketches cannot be merged in SQL), merged
 * with the tier rows already stored, and upserted. Readers see a sample either in the delta or
 * in all tiers, never both, because the move is atomic and reads run in one snapshot.
 *
 * <p>Why asynchronous and append-only (measured, see docs/benchmarks): folding each batch into
 * three tiers in its own transaction means read-modify-write of sketch rows that other batches
 * touch too (the hour and day rows of every VM), which serializes concurrent batches on row
 * locks. Appending a partial costs one COPY row per touched 5-minute bucket (≈ 0.2 row per
 * sample at one sample a minute) and never waits on anyone. An advisory lock keeps a single
 * compactor per scope even with several service instances.
 */
public final class RollupCompactor {
    static final int ROUND_ROWS = 20_000;
    private static final int MAX_ROUNDS = 50;

    private final Tx tx;

    public RollupCompactor(Tx tx) {
        this.tx = tx;
    }

    /** Compacts every scope until its delta is empty (or a bounded number of rounds ran); returns rows moved. */
    public long compactAll() {
        long moved = 0;
        for (RollupScope scope : RollupScope.values()) {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                int n = compactRound(scope);
                moved += n;
                if (n < ROUND_ROWS) {
                    break;
                }
            }
        }
        return moved;
    }

    int compactRound(RollupScope scope) {
        return tx.inTransaction(c -> {
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
    }

    private static List<Map.Entry<BucketKey, Aggregate>> takeDelta(Connection c, RollupScope scope) throws SQLException {
        String sql = "DELETE FROM " + scope.deltaTable() + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + scope.deltaTable()
                + " LIMIT " + ROUND_ROWS + ")) RETURNING " + keyExpr(scope) + ", date_part('epoch', bucket), n, sums, mins, maxs, sketches";
        List<Map.Entry<BucketKey, Aggregate>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(Map.entry(key(rs), aggregate(rs, 4, true)));
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
