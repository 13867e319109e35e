package io.novacron.metrics.query;

import io.novacron.metrics.ingest.MetricKind;
import io.novacron.metrics.rollup.Aggregate;
import io.novacron.metrics.rollup.BucketKey;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.metrics.rollup.RollupRows;
import io.novacron.metrics.rollup.RollupScope;
import io.novacron.metrics.rollup.Watermarks;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * Answers one series (or organization) over [from, to) at a step, exactly as the aggregation
 * over the raw samples would, by stitching resolutions: the longest stretch aligned to the
 * coarsest usable tier comes from that tier, the edges from the next finer tier, and so on down
 * to the raw rows for what no tier covers (a 24 h window at 5 m with unaligned ends reads 1 h and
 * 5 m rows plus at most two sub-5-minute slivers of raw samples). A tier is usable when it
 * divides the step, so each tier row falls in exactly one output bucket. Each tier is read
 * together with its not-yet-compacted delta rows, and only before its {@link Watermarks}
 * (series tiers are built from raw samples behind them; past them, the raw rows answer). The
 * caller runs all reads in one snapshot. Work scales with the number of buckets, not with the
 * samples behind them.
 */
final class SeriesReader {
    private static final int RAW_LIMIT = MetricsQueryRoutes.MAX_POINTS * 10;

    private final Connection c;
    private final RollupScope scope;
    private final long a;
    private final long b;
    private final long stepMicros;
    /** Metrics whose p95 is asked (bit m: metric m): only their sketches are read and built. */
    private final int sketchMask;
    private final TreeMap<Long, Aggregate> out = new TreeMap<>();
    private int rawRows;

    /**
     * @param stepMicros 0 for raw: each distinct timestamp is its own point
     * @param sketchMask the metrics whose quantiles are needed (bit m: metric m), 0 for none
     */
    SeriesReader(Connection c, RollupScope scope, long a, long b, long stepMicros, int sketchMask) {
        this.c = c;
        this.scope = scope;
        this.a = a;
        this.b = b;
        this.stepMicros = stepMicros;
        this.sketchMask = sketchMask;
    }

    TreeMap<Long, Aggregate> read(long fromMicros, long toMicros) throws SQLException {
        Watermarks w = Watermarks.read(c, scope);
        List<long[]> tiers = new ArrayList<>(); // {step, complete before}
        for (int s : scope.stepsSeconds()) {
            long t = s * 1_000_000L;
            if (stepMicros > 0 && stepMicros % t == 0) {
                tiers.add(0, new long[] {t, w.tierLimit(s)}); // coarsest first
            }
        }
        cover(fromMicros, toMicros, tiers, 0);
        return out;
    }

    private void cover(long lo, long hi, List<long[]> tiers, int i) throws SQLException {
        if (lo >= hi) {
            return;
        }
        if (i == tiers.size()) {
            if (!edgeFromTier(lo, hi, tiers)) {
                raw(lo, hi);
            }
            return;
        }
        long t = tiers.get(i)[0];
        long alignedLo = -Math.floorDiv(-lo, t) * t;
        long limit = tiers.get(i)[1]; // Watermarks.NONE (Long.MIN_VALUE) before the first compaction
        long alignedHi = limit <= lo ? lo : Math.floorDiv(Math.min(hi, limit), t) * t;
        if (alignedLo < alignedHi) {
            tier(t, alignedLo, alignedHi, this::add);
            cover(lo, alignedLo, tiers, i + 1);
            cover(alignedHi, hi, tiers, i + 1);
        } else {
            cover(lo, hi, tiers, i + 1);
        }
    }

    /**
     * A window edge [lo, hi) inside one complete bucket of the finest tier: answered by that
     * bucket's rows when their spans put every sample on one side of the edge (collectors that
     * report on the minute, cut by a {@code from} or {@code to} with seconds). Returns false when
     * the raw samples must answer: the edge is not inside one complete bucket, or a row's samples
     * straddle it, or a row's span is unknown.
     */
    private boolean edgeFromTier(long lo, long hi, List<long[]> tiers) throws SQLException {
        if (tiers.isEmpty()) {
            return false;
        }
        long t = tiers.get(tiers.size() - 1)[0];
        long bucket = Math.floorDiv(lo, t) * t;
        if (hi > bucket + t || bucket + t > tiers.get(tiers.size() - 1)[1]) {
            return false;
        }
        List<Aggregate> rows = new ArrayList<>();
        tier(t, bucket, bucket + t, (key, agg) -> rows.add(agg));
        if (rows.stream().anyMatch(agg -> !agg.within(lo, hi) && !agg.outside(lo, hi))) {
            return false;
        }
        for (Aggregate agg : rows) {
            if (agg.within(lo, hi)) {
                add(lo, agg); // the edge lies in one output bucket: the finest tier divides the step
            }
        }
        return true;
    }

    private String keyWhere() {
        return scope.keys().size() == 2 ? "org_id = ? AND vm_id = ?" : scope.keys().get(0) + " = ?";
    }

    /** Binds the key columns first; returns the next parameter index. */
    private int bindKey(PreparedStatement ps) throws SQLException {
        return 1 + bindKeyAt(ps, 1);
    }

    private void tier(long tierMicros, long lo, long hi, BiConsumer<Long, Aggregate> rows) throws SQLException {
        String cols = "0, 0, date_part('epoch', bucket), " + RollupRows.selectColumns(sketchMask != 0 ? "sketches" : "NULL::bytea");
        // Tier: primary key (keys, step_s, bucket). Delta: <scope>_rollup_delta_series_idx (keys, bucket).
        String sql = "SELECT " + cols + " FROM " + scope.table() + " WHERE " + keyWhere() + " AND step_s = ? AND bucket >= ? AND bucket < ?"
                + " UNION ALL SELECT " + cols + " FROM " + scope.deltaTable() + " WHERE " + keyWhere() + " AND bucket >= ? AND bucket < ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = bindKey(ps);
            ps.setInt(p++, (int) (tierMicros / 1_000_000L));
            ps.setObject(p++, BucketKey.timestamp(lo));
            ps.setObject(p++, BucketKey.timestamp(hi));
            p += bindKeyAt(ps, p);
            ps.setObject(p++, BucketKey.timestamp(lo));
            ps.setObject(p, BucketKey.timestamp(hi));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.accept(RollupCompactor.key(rs).bucketMicros(), RollupCompactor.aggregate(rs, 4, sketchMask));
                }
            }
        }
    }

    /** Binds the key columns from parameter {@code p}; returns how many it bound. */
    private int bindKeyAt(PreparedStatement ps, int p) throws SQLException {
        ps.setLong(p, a);
        if (scope.keys().size() == 2) {
            ps.setLong(p + 1, b);
            return 2;
        }
        return 1;
    }

    private void raw(long lo, long hi) throws SQLException {
        MetricKind kind = scope.kind();
        String cols = String.join(", ", kind.metrics());
        String sql;
        if (scope == RollupScope.ORG) {
            // One probe of the vm_metrics primary key (org_id, vm_id, ts) per VM of the organization
            // that has reported since lo (vm_latest keeps a row per series that ever reported, and
            // its ts never moves back): the key's org_id prefix alone would walk every sample of
            // every VM of the organization in the partition.
            sql = "SELECT date_part('epoch', m.ts), m." + String.join(", m.", kind.metrics()) + " FROM vm_latest l CROSS JOIN LATERAL"
                    + " (SELECT ts, " + cols + " FROM vm_metrics x WHERE x.org_id = l.org_id AND x.vm_id = l.vm_id"
                    + " AND x.ts >= ? AND x.ts < ?) m WHERE l.org_id = ? AND l.ts >= ? LIMIT " + (RAW_LIMIT + 1);
        } else {
            // vm_metrics primary key (org_id, vm_id, ts) / node_metrics (node_id, ts).
            sql = "SELECT date_part('epoch', ts), " + cols + " FROM " + scope.rawTable()
                    + " WHERE " + keyWhere() + " AND ts >= ? AND ts < ? LIMIT " + (RAW_LIMIT + 1);
        }
        double[] v = new double[MetricKind.METRICS];
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (scope == RollupScope.ORG) {
                ps.setObject(1, BucketKey.timestamp(lo));
                ps.setObject(2, BucketKey.timestamp(hi));
                ps.setLong(3, a);
                ps.setObject(4, BucketKey.timestamp(lo));
            } else {
                int p = bindKey(ps);
                ps.setObject(p++, BucketKey.timestamp(lo));
                ps.setObject(p, BucketKey.timestamp(hi));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (++rawRows > RAW_LIMIT) {
                        throw MetricsQueryRoutes.tooManyPoints("the window holds more than " + RAW_LIMIT + " raw samples");
                    }
                    long t = Math.round(rs.getDouble(1) * 1_000_000d);
                    for (int m = 0; m < MetricKind.METRICS; m++) {
                        // real columns are read as float: the exact value stored, as ingest aggregated it
                        v[m] = kind.isReal(m) ? rs.getFloat(2 + m) : rs.getDouble(2 + m);
                    }
                    Aggregate one = new Aggregate(sketchMask);
                    one.add(t, v);
                    add(t, one);
                }
            }
        }
    }

    private void add(long tMicros, Aggregate agg) {
        long bucket = stepMicros == 0 ? tMicros : BucketKey.bin(tMicros, stepMicros);
        Aggregate into = out.get(bucket);
        if (into == null) {
            out.put(bucket, agg);
        } else {
            into.merge(agg);
        }
    }

}
