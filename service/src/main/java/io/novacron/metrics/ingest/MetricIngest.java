package io.novacron.metrics.ingest;

import io.novacron.db.PgCopyBuffer;
import io.novacron.metrics.series.MetricKind;
import io.novacron.config.ServiceConfig;
import io.novacron.db.Tx;
import io.novacron.metrics.ingest.IngestTimings.Phase;
import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.series.BucketKey;
import io.novacron.metrics.rollup.RollupRows;
import io.novacron.metrics.rollup.RollupScope;
import io.novacron.metrics.rollup.Watermarks;
import io.novacron.web.ApiException;
import io.novacron.web.Principal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The ingest path: the in-process entry point that the HTTP handlers call and the ingest
 * benchmark measures. {@link #ingest} validates a parsed batch and stores it exactly once, in
 * one transaction:
 * <ol>
 * <li>validate values and resolve every series (an org token may only send its own VMs);
 * <li>sort by (org, series, ts) and drop in-batch repeats;
 * <li>binary COPY into a session TEMP staging table (no WAL: it only lives until the commit);
 * <li>{@code INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING} into the daily partition: the
 *     returned keys are the new samples; keys that already had a row get the metrics they lack
 *     filled in ({@link PartialFills}). Exactly once per (series, ts, metric): only the metrics
 *     stored now feed what follows;
 * <li>upsert {@code vm_latest}/{@code node_latest} (never backwards) and {@code org_usage_1m};
 * <li>append one partial aggregate per touched finest bucket to the rollup delta tables;
 * <li>{@code pg_notify('novacron_changes', org)} once per organization (and {@code platform}).
 * </ol>
 * The answer is given after the commit, so "accepted" means durable; a failure rolls all of it
 * back. Every upsert receives its keys sorted, so concurrent batches lock rows in the same order.
 * Thread-safe; concurrency is bounded by the caller ({@link IngestGate}).
 */
public final class MetricIngest {
    /**
     * @param accepted samples that stored at least one metric now (a new sample, or the late part of one)
     * @param duplicates samples whose every metric was already stored for their (series, ts) or given earlier in the batch
     */
    public record Result(long accepted, long duplicates) {
    }

    private static final long MINUTE = 60_000_000L;
    private static final Duration MAX_FUTURE = Duration.ofMinutes(10);

    // vm_id_key (id): one probe per distinct VM of the batch.
    private static final String RESOLVE_VMS = "SELECT id, org_id FROM vm WHERE id = ANY(?)";
    // node primary key
    private static final String RESOLVE_NODES = "SELECT id FROM node WHERE id = ANY(?)";
    private static final String ENSURE_PARTITIONS = "SELECT ensure_metric_partitions(?::date, ?::date)";
    private static final String NOTIFY = "SELECT pg_notify('novacron_changes', x) FROM unnest(?::text[]) AS x";

    private final Tx tx;
    private final ServiceConfig.Retention retention;
    private final Clock clock;
    private final IngestTimings timings;
    /** Days (epoch day numbers) whose raw partitions are known to exist. */
    private final Set<Long> partitionDays = ConcurrentHashMap.newKeySet();

    public MetricIngest(Tx tx, ServiceConfig.Retention retention, Clock clock, IngestTimings timings) {
        this.tx = tx;
        this.retention = retention;
        this.clock = clock;
        this.timings = timings;
    }

    public IngestTimings timings() {
        return timings;
    }

    /** Validates and stores one batch of VM and/or node samples (either may be empty); see {@link #ingest(Principal, SampleBatch, SampleBatch, SampleErrors)}. */
    public Result ingest(Principal caller, SampleBatch vms, SampleBatch nodes) {
        return ingest(caller, vms, nodes, new SampleErrors());
    }

    /**
     * Validates and stores one batch (either batch may be empty). {@code errors} may already hold
     * the parser's findings; they fail the batch before anything is written.
     *
     * @throws ApiException 400/422 listing offending sample indexes, 403 when an org token sends node samples
     */
    public Result ingest(Principal caller, SampleBatch vms, SampleBatch nodes, SampleErrors errors) {
        long t = System.nanoTime();
        if (nodes.size() > 0 && !caller.isAdmin()) {
            throw ApiException.forbidden("node samples need the platform admin token");
        }
        errors.throwIfAny();
        checkValues(vms, errors);
        checkValues(nodes, errors);
        errors.throwIfAny();
        resolveVms(caller, vms, errors);
        resolveNodes(nodes, errors);
        errors.throwIfAny();
        t = timings.record(Phase.VALIDATE, t);
        vms.sortByKey();
        nodes.sortByKey();
        int total = vms.size() + nodes.size();
        KeyGroups vmKeys = KeyGroups.merge(vms);
        KeyGroups nodeKeys = KeyGroups.merge(nodes);
        ensurePartitions(vms);
        ensurePartitions(nodes);
        timings.record(Phase.SORT, t);
        long[] workDone = new long[1];
        long stored = tx.inTransaction(c -> {
            TreeSet<String> changed = new TreeSet<>();
            long n = store(c, vms, vmKeys, changed) + store(c, nodes, nodeKeys, changed);
            notifyChanges(c, changed);
            workDone[0] = System.nanoTime();
            return n;
        });
        timings.record(Phase.COMMIT, workDone[0]);
        timings.counted(stored, total - stored);
        return new Result(stored, total - stored);
    }

    private void checkValues(SampleBatch b, SampleErrors errors) {
        long now = clock.millis() * 1000;
        long latest = now + MAX_FUTURE.toNanos() / 1000;
        long oldest = now - retention.raw().toNanos() / 1000;
        MetricKind kind = b.kind();
        for (int i = 0; i < b.size; i++) {
            long ts = b.tsMicros[i];
            if (ts > latest) {
                errors.invalid(b.index[i], "ts", "more than 10 minutes in the future");
            } else if (ts < oldest) {
                errors.invalid(b.index[i], "ts", "older than the raw retention of " + retention.raw().toDays() + " days");
            }
            for (int m = 0; m < MetricKind.METRICS; m++) {
                if (!b.has(i, m)) {
                    continue;
                }
                double v = b.values[m][i];
                if (!Double.isFinite(v)) {
                    errors.invalid(b.index[i], kind.metrics().get(m), "must be a finite number");
                } else if (v < 0) {
                    errors.invalid(b.index[i], kind.metrics().get(m), "must not be negative");
                } else if (kind.isPercent(m) && v > 100) {
                    errors.invalid(b.index[i], kind.metrics().get(m), "is a percentage (0 to 100)");
                }
            }
        }
    }

    /** Fills in each sample's organization; unknown VMs and, for org tokens, other tenants' VMs are invalid. */
    private void resolveVms(Principal caller, SampleBatch b, SampleErrors errors) {
        if (b.size == 0) {
            return;
        }
        Long[] ids = distinctSeries(b);
        Map<Long, Long> orgOf = tx.read(c -> {
            Map<Long, Long> m = new HashMap<>(ids.length * 2);
            try (PreparedStatement ps = c.prepareStatement(RESOLVE_VMS)) {
                ps.setArray(1, c.createArrayOf("bigint", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        m.put(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            return m;
        });
        for (int i = 0; i < b.size; i++) {
            Long org = orgOf.get(b.series[i]);
            if (org == null || !caller.sees(org)) {
                errors.invalid(b.index[i], "vm_id", "unknown vm " + b.series[i]);
            } else {
                b.org[i] = org;
            }
        }
    }

    private void resolveNodes(SampleBatch b, SampleErrors errors) {
        if (b.size == 0) {
            return;
        }
        Long[] ids = distinctSeries(b);
        Set<Long> known = tx.read(c -> {
            Set<Long> s = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(RESOLVE_NODES)) {
                ps.setArray(1, c.createArrayOf("bigint", ids));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        s.add(rs.getLong(1));
                    }
                }
            }
            return s;
        });
        for (int i = 0; i < b.size; i++) {
            if (!known.contains(b.series[i])) {
                errors.invalid(b.index[i], "node_id", "unknown node " + b.series[i]);
            }
        }
    }

    private static Long[] distinctSeries(SampleBatch b) {
        Set<Long> s = new java.util.HashSet<>();
        for (int i = 0; i < b.size; i++) {
            s.add(b.series[i]);
        }
        return s.toArray(new Long[0]);
    }

    /** Creates missing daily partitions in their own short transaction (DDL must not sit inside the batch's locks). */
    private void ensurePartitions(SampleBatch b) {
        TreeSet<Long> missing = new TreeSet<>();
        for (int i = 0; i < b.size; i++) {
            long day = Math.floorDiv(b.tsMicros[i], 86_400_000_000L);
            if (!partitionDays.contains(day)) {
                missing.add(day);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        tx.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(ENSURE_PARTITIONS)) {
                ps.setObject(1, java.time.LocalDate.ofEpochDay(missing.first()));
                ps.setObject(2, java.time.LocalDate.ofEpochDay(missing.last()));
                ps.execute();
            }
            return null;
        });
        partitionDays.addAll(missing);
    }

    private long store(Connection c, SampleBatch b, KeyGroups keys, Set<String> changed) throws SQLException {
        if (b.size == 0) {
            return 0;
        }
        MetricKind kind = b.kind();
        boolean vm = kind == MetricKind.VM;
        String raw = vm ? "vm_metrics" : "node_metrics";
        String stage = vm ? "vm_stage" : "node_stage";
        long t = System.nanoTime();
        RollupScope scope = vm ? RollupScope.VM : RollupScope.NODE;
        // Held to commit: the compactor cannot fold this batch's buckets into the tiers while it is in flight.
        long partialsBefore = Watermarks.lockForIngest(c, scope);
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (LIKE " + raw + ") ON COMMIT DELETE ROWS");
        }
        PgCopyBuffer buf = new PgCopyBuffer(b.size * 90);
        for (int i = 0; i < b.size; i++) {
            if (!keys.first[i]) {
                continue;
            }
            buf.startRow(vm ? 9 : 8);
            if (vm) {
                buf.int8(b.org[i]);
            }
            buf.int8(b.series[i]).timestamptz(b.tsMicros[i]);
            for (int m = 0; m < MetricKind.METRICS; m++) {
                if (b.has(i, m)) {
                    buf.float8(b.values[m][i]);
                } else {
                    buf.nullField();
                }
            }
        }
        buf.copyInto(c, "COPY " + stage + " FROM STDIN (FORMAT binary)");
        t = timings.record(Phase.STAGE_COPY, t);

        // The partition's primary key decides what is new; RETURNING hands back exactly those rows.
        // newFields[i] (first sample of each key): the metrics stored now; inserted[i]: a new row.
        int[] newFields = new int[b.size];
        boolean[] inserted = new boolean[b.size];
        long rows = 0;
        String merge = "INSERT INTO " + raw + " SELECT * FROM " + stage + " ON CONFLICT DO NOTHING RETURNING "
                + (vm ? "org_id, vm_id" : "0, node_id") + ", date_part('epoch', ts)";
        try (PreparedStatement ps = c.prepareStatement(merge); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int i = keys.firstOf(b, rs.getLong(1), rs.getLong(2), Math.round(rs.getDouble(3) * 1_000_000d));
                inserted[i] = true;
                newFields[i] = b.fields[i];
                rows++;
            }
        }
        if (rows < keys.count) {
            PartialFills.fill(c, b, keys, inserted, newFields);
        }
        t = timings.record(Phase.MERGE, t);
        long accepted = 0;
        boolean any = false;
        for (int i = 0; i < b.size; i++) {
            int first = keys.firstIndex[i];
            if ((keys.contributed[i] & newFields[first]) != 0) {
                accepted++;
            }
            if (keys.first[i] && newFields[i] != 0) {
                any = true;
                changed.add(vm ? Long.toString(b.org[i]) : "platform");
            }
        }
        if (!any) {
            return 0;
        }
        SortedMap<BucketKey, Aggregate> series = new TreeMap<>();
        SortedMap<BucketKey, Aggregate> orgs = new TreeMap<>();
        buildPartials(b, newFields, inserted, partialsBefore, series, orgs);
        t = timings.record(Phase.ROLLUP_BUILD, t);
        ReadModels.upsertLatest(c, b, newFields);
        if (vm) {
            ReadModels.upsertOrgUsage(c, orgs);
        }
        t = timings.record(Phase.LATEST_USAGE, t);
        RollupRows.appendDelta(c, scope, series);
        if (vm) {
            RollupRows.appendDelta(c, RollupScope.ORG, orgs);
        }
        timings.record(Phase.ROLLUP_COPY, t);
        return accepted;
    }

    /**
     * One partial per (org, minute) over the stored VM samples, and one per (series, 5-minute
     * bucket) for the late samples only, those of buckets before {@code partialsBefore} (the
     * scope's {@code ingest_until}): the compactor builds every later bucket from the raw rows.
     * The batch is sorted by (org, series, ts), so a series' samples of one bucket are adjacent:
     * the last partial is reused instead of a map lookup per sample.
     */
    private static void buildPartials(SampleBatch b, int[] newFields, boolean[] inserted, long partialsBefore,
                                      SortedMap<BucketKey, Aggregate> series, SortedMap<BucketKey, Aggregate> orgs) {
        boolean vm = b.kind() == MetricKind.VM;
        long step = (long) (vm ? RollupScope.VM : RollupScope.NODE).finestSeconds() * 1_000_000L;
        double[] v = new double[MetricKind.METRICS];
        Map<BucketKey, Aggregate> orgMinutes = new HashMap<>();
        BucketKey lastKey = null;
        Aggregate last = null;
        for (int i = 0; i < b.size; i++) {
            if (newFields[i] == 0) {
                continue;
            }
            for (int m = 0; m < MetricKind.METRICS; m++) {
                // only the metrics stored now: a late fill adds its new metrics, never one already counted
                v[m] = (newFields[i] & (1 << m)) != 0 ? b.values[m][i] : Double.NaN;
            }
            long bucket = BucketKey.bin(b.tsMicros[i], step);
            if (bucket < partialsBefore) {
                long a = vm ? b.org[i] : b.series[i];
                long c = vm ? b.series[i] : 0;
                if (lastKey == null || lastKey.a() != a || lastKey.b() != c || lastKey.bucketMicros() != bucket) {
                    lastKey = new BucketKey(a, c, bucket);
                    last = series.computeIfAbsent(lastKey, k -> new Aggregate(true));
                }
                last.add(b.tsMicros[i], v, inserted[i]);
            }
            if (vm) {
                orgMinutes.computeIfAbsent(new BucketKey(b.org[i], 0, BucketKey.bin(b.tsMicros[i], MINUTE)),
                        k -> new Aggregate(true)).add(b.tsMicros[i], v, inserted[i]);
            }
        }
        orgs.putAll(orgMinutes);
    }

    /** One notification per organization whose VM samples were stored, plus "platform" for node samples. */
    private static void notifyChanges(Connection c, Set<String> channels) throws SQLException {
        if (channels.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(NOTIFY)) {
            Array a = c.createArrayOf("text", channels.toArray());
            ps.setArray(1, a);
            ps.execute();
        }
    }
}
