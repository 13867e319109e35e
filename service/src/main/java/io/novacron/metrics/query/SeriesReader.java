package io.novacron.metrics.query;

import io.novacron.metrics.block.BlockCodec;
import io.novacron.metrics.block.BlockTable;
import io.novacron.metrics.block.SeriesBlock;
import io.novacron.metrics.series.MetricKind;
import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.series.BucketKey;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.metrics.rollup.RollupRows;
import io.novacron.metrics.rollup.RollupScope;
import io.novacron.metrics.rollup.Watermarks;
import io.novacron.db.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Answers one series (or organization) over [from, to) at a step, exactly as the aggregation
 * over the raw samples would, by stitching resolutions: the longest stretch aligned to the
 * coarsest usable tier comes from that tier, the edges from the next finer tier, and so on down
 * to the raw rows for what no tier covers (a 24 h window at 5 m with unaligned ends reads 1 h and
 * 5 m rows plus at most two sub-5-minute slivers of raw samples). A tier is usable when it
 * divides the step, so each tier row falls in exactly one output bucket. Each tier is read
 * together with its not-yet-compacted delta rows, and only before its {@link Watermarks}
 * (series tiers are built from raw samples behind them; past them, the raw rows answer). The
 * reads are planned first and sent as one statement (an organization's raw edge, when its rollup
 * rows cannot answer it, takes a second), since on a busy machine the round trips, not the
 * execution, were most of an aggregation's time. The caller runs all reads in one snapshot. Work
 * scales with the number of buckets, not with the samples behind them.
 */
final class SeriesReader {
    private static final int RAW_LIMIT = MetricsQueryRoutes.MAX_POINTS * 10;
    /** The first raw metric column of {@link #fetch}'s statement. */
    private static final int RAW_COLUMN = 12;
    /** Column 2 of {@link #fetch}'s rows: where the row comes from. */
    private static final int TIER = 0, RAW = 1, BLOCK = 2;

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

    /** One stretch of the window and where its rows come from. */
    private sealed interface Part permits TierPart, EdgePart, RawPart {
    }

    /** Rows of the tier of {@code tier} µs (and its delta) with buckets in [lo, hi). */
    private record TierPart(long tier, long lo, long hi) implements Part {
    }

    /**
     * A window edge [lo, hi) inside one complete bucket of the finest usable tier: that bucket's
     * rows answer it when their spans put every sample on one side of the edge; otherwise the raw
     * samples do. Series read both at once (a sliver of one series is a few rows); an organization's
     * raw samples are a probe per VM, so they are read afterwards, only if needed.
     */
    private record EdgePart(long tier, long bucket, long lo, long hi) implements Part {
    }

    /**
     * Raw samples in [lo, hi). {@code limited}: counted against {@link #RAW_LIMIT}, as a stretch
     * no tier covers is; a stretch of packed hours standing in for the 5-minute tier is not (its
     * work is a block per series and hour, like the hour tier's rows).
     */
    private record RawPart(long lo, long hi, boolean limited) implements Part {
    }

    private record TierRow(long bucket, Aggregate agg) {
    }

    private record RawRow(long ts, double[] values) {
    }

    /** The rows one part received from the statement. */
    private record Rows(List<TierRow> tier, List<RawRow> raw) {
        Rows() {
            this(new ArrayList<>(), new ArrayList<>());
        }
    }

    TreeMap<Long, Aggregate> read(long fromMicros, long toMicros) throws SQLException {
        Watermarks w = Watermarks.read(c, scope);
        List<long[]> tiers = new ArrayList<>(); // {step, rows from, complete before}
        for (int s : scope.stepsSeconds()) {
            long t = s * 1_000_000L;
            if (stepMicros > 0 && stepMicros % t == 0) {
                tiers.add(0, new long[] {t, w.tierFrom(s), w.tierLimit(s)}); // coarsest first
            }
        }
        List<Part> plan = new ArrayList<>();
        cover(fromMicros, toMicros, tiers, 0, plan);
        boolean rawEdges = scope != RollupScope.ORG;
        List<Rows> rows = fetch(plan, rawEdges);
        List<Part> fallback = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            Rows r = rows.get(i);
            Part part = plan.get(i);
            if (part instanceof TierPart) {
                r.tier.forEach(row -> add(row.bucket, row.agg));
            } else if (part instanceof RawPart p) {
                addRaw(r, p.limited);
            } else if (part instanceof EdgePart e) {
                if (r.tier.stream().allMatch(row -> row.agg.within(e.lo, e.hi) || row.agg.outside(e.lo, e.hi))) {
                    for (TierRow row : r.tier) {
                        if (row.agg.within(e.lo, e.hi)) {
                            add(e.lo, row.agg); // the edge lies in one output bucket: the finest tier divides the step
                        }
                    }
                } else if (rawEdges) {
                    addRaw(r, true);
                } else {
                    fallback.add(new RawPart(e.lo, e.hi, true));
                }
            }
        }
        if (!fallback.isEmpty()) {
            fetch(fallback, false).forEach(r -> addRaw(r, true));
        }
        return out;
    }

    /**
     * Plans [lo, hi): the coarsest tier's aligned stretch, then its edges from the finer tiers.
     * Where a tier holds no rows (the 5-minute tier of packed hours, {@link Watermarks#tierFrom})
     * the raw history answers its stretch: blocks are the finest tier there.
     */
    private static void cover(long lo, long hi, List<long[]> tiers, int i, List<Part> plan) {
        if (lo >= hi) {
            return;
        }
        if (i == tiers.size()) {
            plan.add(edge(lo, hi, tiers));
            return;
        }
        long t = tiers.get(i)[0];
        long alignedLo = -Math.floorDiv(-lo, t) * t;
        long from = tiers.get(i)[1]; // hour-aligned, so a multiple of t; NONE: rows from the start
        long limit = tiers.get(i)[2]; // Watermarks.NONE (Long.MIN_VALUE) before the first compaction
        long alignedHi = limit <= lo ? lo : Math.floorDiv(Math.min(hi, limit), t) * t;
        if (alignedLo < alignedHi) {
            long rowsFrom = Math.min(alignedHi, Math.max(alignedLo, from));
            if (alignedLo < rowsFrom) {
                plan.add(new RawPart(alignedLo, rowsFrom, false));
            }
            if (rowsFrom < alignedHi) {
                plan.add(new TierPart(t, rowsFrom, alignedHi));
            }
            cover(lo, alignedLo, tiers, i + 1, plan);
            cover(alignedHi, hi, tiers, i + 1, plan);
        } else {
            cover(lo, hi, tiers, i + 1, plan);
        }
    }

    /** An edge part when [lo, hi) lies inside one complete bucket of the finest tier, else raw. */
    private static Part edge(long lo, long hi, List<long[]> tiers) {
        if (tiers.isEmpty()) {
            return new RawPart(lo, hi, true);
        }
        long[] finest = tiers.get(tiers.size() - 1);
        long t = finest[0];
        long bucket = Math.floorDiv(lo, t) * t;
        if (hi > bucket + t || bucket + t > finest[2] || bucket < finest[1]) {
            return new RawPart(lo, hi, true);
        }
        return new EdgePart(t, bucket, lo, hi);
    }

    /**
     * Reads every part in one statement (one round trip): a UNION ALL of the parts' branches, each
     * row tagged with its part's index. Columns: part, raw?, epoch (bucket or sample time), then
     * {@link RollupRows#selectColumns} (NULL for raw rows), then the raw metrics (NULL for tier rows).
     */
    private List<Rows> fetch(List<Part> parts, boolean rawEdges) throws SQLException {
        List<Rows> rows = new ArrayList<>();
        List<String> branches = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            rows.add(new Rows());
            Part part = parts.get(i);
            if (part instanceof TierPart t) {
                tierBranches(i, t.tier, t.lo, t.hi, branches, args);
            } else if (part instanceof RawPart r) {
                rawBranch(i, r.lo, r.hi, branches, args);
            } else if (part instanceof EdgePart e) {
                tierBranches(i, e.tier, e.bucket, e.bucket + e.tier, branches, args);
                if (rawEdges) {
                    rawBranch(i, e.lo, e.hi, branches, args);
                }
            }
        }
        MetricKind kind = scope.kind();
        try (PreparedStatement ps = c.prepareStatement(String.join("\nUNION ALL\n", branches))) {
            Sql.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Rows r = rows.get(rs.getInt(1));
                    long t = Math.round(rs.getDouble(3) * 1_000_000d);
                    int source = rs.getInt(2);
                    if (source == TIER) {
                        r.tier.add(new TierRow(t, RollupCompactor.aggregate(rs, 4, sketchMask)));
                        continue;
                    }
                    if (source == BLOCK) {
                        addPacked(r, BlockCodec.decode(rs.getBytes(RAW_COLUMN + MetricKind.METRICS)), rs.getLong(RAW_COLUMN + MetricKind.METRICS + 1),
                                rs.getLong(RAW_COLUMN + MetricKind.METRICS + 2));
                        continue;
                    }
                    double[] v = new double[MetricKind.METRICS];
                    for (int m = 0; m < MetricKind.METRICS; m++) {
                        v[m] = rs.getDouble(RAW_COLUMN + m);
                        if (rs.wasNull()) {
                            v[m] = Double.NaN; // the sample lacks this metric
                        }
                    }
                    r.raw.add(new RawRow(t, v));
                }
            }
        }
        return rows;
    }

    private void tierBranches(int part, long tierMicros, long lo, long hi, List<String> branches, List<Object> args) {
        String cols = part + ", " + TIER + ", date_part('epoch', bucket), "
                + RollupRows.selectColumns(sketchMask != 0 ? "sketches" : "NULL::bytea") + ", " + nullMetrics() + BLOCK_NULLS;
        // Tier: primary key (keys, step_s, bucket). Delta: <scope>_rollup_delta_series_idx (keys, bucket).
        branches.add("SELECT " + cols + " FROM " + scope.table() + " WHERE " + keyWhere() + " AND step_s = ? AND bucket >= ? AND bucket < ?");
        addKey(args);
        args.add((int) (tierMicros / 1_000_000L));
        args.add(BucketKey.timestamp(lo));
        args.add(BucketKey.timestamp(hi));
        branches.add("SELECT " + cols + " FROM " + scope.deltaTable() + " WHERE " + keyWhere() + " AND bucket >= ? AND bucket < ?");
        addKey(args);
        args.add(BucketKey.timestamp(lo));
        args.add(BucketKey.timestamp(hi));
    }

    /**
     * Raw samples in [lo, hi): rows of the raw table plus the packed blocks overlapping the range
     * (a sample is in exactly one of them, V35), both in the statement's snapshot; a block's
     * samples are filtered to the range when decoded.
     */
    private void rawBranch(int part, long lo, long hi, List<String> branches, List<Object> args) {
        MetricKind kind = scope.kind();
        String tierNulls = "NULL::bigint, NULL::float8[], NULL::float8[], NULL::float8[], NULL::bytea, NULL::float8, NULL::float8, NULL::bigint[]";
        String blockCols = part + ", " + BLOCK + ", NULL::float8, " + tierNulls + ", " + nullMetrics() + ", x.data, ?::bigint, ?::bigint";
        // A block holds [block_start, block_start + span).
        String overlaps = " AND x.block_start > ? AND x.block_start < ?";
        if (scope == RollupScope.ORG) {
            // One probe of the vm_metrics primary key (org_id, vm_id, ts) per VM of the organization
            // that has reported since lo (vm_latest keeps a row per series that ever reported, and
            // its ts never moves back): the key's org_id prefix alone would walk every sample of
            // every VM of the organization in the partition. Blocks: the same probe of their key.
            branches.add("(SELECT " + part + ", " + RAW + ", date_part('epoch', m.ts), " + tierNulls + ", m."
                    + String.join(", m.", kind.metrics()) + BLOCK_NULLS + " FROM vm_latest l CROSS JOIN LATERAL"
                    + " (SELECT ts, " + String.join(", ", kind.metrics()) + " FROM vm_metrics x"
                    + " WHERE x.org_id = l.org_id AND x.vm_id = l.vm_id AND x.ts >= ? AND x.ts < ?) m"
                    + " WHERE l.org_id = ? AND l.ts >= ? LIMIT " + (RAW_LIMIT + 1) + ")");
            args.add(BucketKey.timestamp(lo));
            args.add(BucketKey.timestamp(hi));
            args.add(a);
            args.add(BucketKey.timestamp(lo));
            branches.add("(SELECT " + blockCols + " FROM vm_latest l CROSS JOIN LATERAL (SELECT data FROM " + BlockTable.VM.table()
                    + " x WHERE x.org_id = l.org_id AND x.vm_id = l.vm_id" + overlaps + ") x"
                    + " WHERE l.org_id = ? AND l.ts >= ? LIMIT " + (RAW_LIMIT + 1) + ")");
            args.add(lo);
            args.add(hi);
            args.add(BucketKey.timestamp(lo - BlockTable.SPAN_MICROS));
            args.add(BucketKey.timestamp(hi));
            args.add(a);
            args.add(BucketKey.timestamp(lo));
        } else {
            // vm_metrics primary key (org_id, vm_id, ts) / node_metrics (node_id, ts).
            branches.add("(SELECT " + part + ", " + RAW + ", date_part('epoch', ts), " + tierNulls + ", "
                    + String.join(", ", kind.metrics()) + BLOCK_NULLS + " FROM " + scope.rawTable()
                    + " WHERE " + keyWhere() + " AND ts >= ? AND ts < ? LIMIT " + (RAW_LIMIT + 1) + ")");
            addKey(args);
            args.add(BucketKey.timestamp(lo));
            args.add(BucketKey.timestamp(hi));
            // <kind>_metric_block primary key (keys, block_start).
            branches.add("(SELECT " + blockCols + " FROM " + BlockTable.of(kind).table() + " x WHERE " + keyWhere() + overlaps
                    + " LIMIT " + (RAW_LIMIT + 1) + ")");
            args.add(lo);
            args.add(hi);
            addKey(args);
            args.add(BucketKey.timestamp(lo - BlockTable.SPAN_MICROS));
            args.add(BucketKey.timestamp(hi));
        }
    }

    /** A packed block's samples inside [lo, hi) (sent back with the block as columns). */
    private static void addPacked(Rows r, SeriesBlock block, long lo, long hi) {
        for (int i = 0; i < block.size(); i++) {
            long ts = block.ts()[i];
            if (ts >= lo && ts < hi) {
                double[] v = new double[MetricKind.METRICS];
                for (int m = 0; m < MetricKind.METRICS; m++) {
                    v[m] = block.has(m, i) ? block.values()[m][i] : Double.NaN; // NaN: the sample lacks this metric, as for a NULL column
                }
                r.raw.add(new RawRow(ts, v));
            }
        }
    }

    /** The raw metric columns of a tier row: NULLs typed like the raw table's columns. */
    private String nullMetrics() {
        return String.join(", ", java.util.Collections.nCopies(MetricKind.METRICS, "NULL::float8"));
    }

    /** The block columns of a tier or raw row. */
    private static final String BLOCK_NULLS = ", NULL::bytea, NULL::bigint, NULL::bigint";

    private String keyWhere() {
        return scope.keys().size() == 2 ? "org_id = ? AND vm_id = ?" : scope.keys().get(0) + " = ?";
    }

    private void addKey(List<Object> args) {
        args.add(a);
        if (scope.keys().size() == 2) {
            args.add(b);
        }
    }

    private void addRaw(Rows r, boolean limited) {
        for (RawRow row : r.raw) {
            if (limited && ++rawRows > RAW_LIMIT) {
                throw MetricsQueryRoutes.tooManyPoints("the window holds more than " + RAW_LIMIT + " raw samples");
            }
            long bucket = stepMicros == 0 ? row.ts : BucketKey.bin(row.ts, stepMicros);
            out.computeIfAbsent(bucket, k -> new Aggregate(sketchMask)).add(row.ts, row.values);
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
