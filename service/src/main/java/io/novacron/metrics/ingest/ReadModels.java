package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.series.BucketKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The read models the dashboard and monitoring read, maintained in the batch's transaction from
 * the newly stored values only: {@code vm_latest}/{@code node_latest} (per series and metric the
 * newest value, never moved backwards by a late one) and {@code org_usage_1m} (per org and
 * minute, samples stored, and per cpu and memory the sum and count of values, each added once). Keys are sent sorted, so concurrent
 * batches take row locks in the same order.
 */
final class ReadModels {
    private ReadModels() {
    }

    /**
     * Per metric, the newest value: {@code value_ts[m]} is the time of the sample it came from.
     * A sample lacking a metric leaves that metric's last known value (and its time) in place;
     * {@code ts} is the newest sample time of any metric. A late sample only replaces the metrics
     * whose stored value is older than it. Nothing moves backwards.
     */
    private static String upsertLatest(MetricKind kind) {
        boolean vm = kind == MetricKind.VM;
        String table = vm ? "vm_latest" : "node_latest";
        List<String> cols = kind.metrics();
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" AS l (")
                .append(vm ? "org_id, vm_id" : "node_id").append(", ts, ").append(String.join(", ", cols)).append(", value_ts)")
                .append(" SELECT ").append(vm ? "o, v" : "v").append(", ").append(at("t"));
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(", m").append(m);
        }
        sql.append(", ARRAY[");
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(m == 0 ? "" : ", ").append(at("t" + m));
        }
        sql.append("] FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]");
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(", ?::float8[]");
        }
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(", ?::bigint[]");
        }
        sql.append(") AS u(o, v, t");
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(", m").append(m);
        }
        for (int m = 0; m < MetricKind.METRICS; m++) {
            sql.append(", t").append(m);
        }
        sql.append(") ON CONFLICT (").append(vm ? "org_id, vm_id" : "node_id").append(") DO UPDATE SET ts = greatest(l.ts, EXCLUDED.ts)");
        List<String> newer = new ArrayList<>();
        StringBuilder times = new StringBuilder();
        for (int m = 0; m < MetricKind.METRICS; m++) {
            int k = m + 1;
            // NULL (the batch has no value of the metric) is never newer
            // l.value_ts NULL: every value is from l.ts; an element NULL: the metric never came
            String isNewer = "EXCLUDED.value_ts[" + k + "] >= coalesce(CASE WHEN l.value_ts IS NULL AND l." + cols.get(m)
                    + " IS NOT NULL THEN l.ts ELSE l.value_ts[" + k + "] END, '-infinity')";
            newer.add(isNewer);
            sql.append(", ").append(cols.get(m)).append(" = CASE WHEN ").append(isNewer).append(" THEN EXCLUDED.").append(cols.get(m))
                    .append(" ELSE l.").append(cols.get(m)).append(" END");
            times.append(m == 0 ? "" : ", ").append("CASE WHEN ").append(isNewer).append(" THEN EXCLUDED.value_ts[").append(k)
                    .append("] WHEN l.value_ts IS NULL AND l.").append(cols.get(m)).append(" IS NOT NULL THEN l.ts ELSE l.value_ts[")
                    .append(k).append("] END");
        }
        sql.append(", value_ts = ARRAY[").append(times).append("] WHERE EXCLUDED.ts > l.ts OR ").append(String.join(" OR ", newer));
        return sql.toString();
    }

    private static String at(String micros) {
        return "timestamptz 'epoch' + " + micros + " * interval '1 microsecond'";
    }

    private static final String UPSERT_VM_LATEST = upsertLatest(MetricKind.VM);
    private static final String UPSERT_NODE_LATEST = upsertLatest(MetricKind.NODE);

    /**
     * Per series, each metric's newest value stored now ({@code newFields[i]}: the metrics sample i
     * stored). The batch is in (org, series, ts) order, so the last sample of a series' run that
     * stored a metric holds its newest value.
     */
    static void upsertLatest(Connection c, SampleBatch b, int[] newFields) throws SQLException {
        String sql = b.kind() == MetricKind.VM ? UPSERT_VM_LATEST : UPSERT_NODE_LATEST;
        int cap = 16;
        Object[][] cols = new Object[3 + 2 * MetricKind.METRICS][cap];
        int n = 0;
        for (int i = 0; i < b.size; i++) {
            if (newFields[i] == 0) {
                continue;
            }
            if (n == 0 || (long) cols[1][n - 1] != b.series[i] || (long) cols[0][n - 1] != b.org[i]) {
                if (n == cap) {
                    cap *= 2;
                    for (int k = 0; k < cols.length; k++) {
                        cols[k] = java.util.Arrays.copyOf(cols[k], cap);
                    }
                }
                cols[0][n] = b.org[i];
                cols[1][n] = b.series[i];
                n++;
            }
            int k = n - 1;
            cols[2][k] = b.tsMicros[i];
            for (int m = 0; m < MetricKind.METRICS; m++) {
                if ((newFields[i] & (1 << m)) != 0) {
                    cols[3 + m][k] = b.values[m][i];
                    cols[3 + MetricKind.METRICS + m][k] = b.tsMicros[i];
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int col = 0; col < cols.length; col++) {
                String type = col >= 3 && col < 3 + MetricKind.METRICS ? "float8" : "bigint";
                ps.setArray(col + 1, c.createArrayOf(type, java.util.Arrays.copyOf(cols[col], n)));
            }
            ps.executeUpdate();
        }
    }

    // org_usage_1m primary key (org_id, bucket); keys arrive sorted; each stored sample is added once.
    private static final String UPSERT_ORG_USAGE = """
            INSERT INTO org_usage_1m (org_id, bucket, samples, cpu_sum, memory_sum, cpu_samples, memory_samples)
            SELECT o, timestamptz 'epoch' + b * interval '1 microsecond', n, c, m, cn, mn
              FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::float8[], ?::float8[], ?::bigint[], ?::bigint[]) AS u(o, b, n, c, m, cn, mn)
            ON CONFLICT (org_id, bucket) DO UPDATE SET samples = org_usage_1m.samples + EXCLUDED.samples,
                cpu_sum = org_usage_1m.cpu_sum + EXCLUDED.cpu_sum, memory_sum = org_usage_1m.memory_sum + EXCLUDED.memory_sum,
                cpu_samples = org_usage_1m.cpu_samples + EXCLUDED.cpu_samples,
                memory_samples = org_usage_1m.memory_samples + EXCLUDED.memory_samples""";

    static void upsertOrgUsage(Connection c, SortedMap<BucketKey, Aggregate> orgs) throws SQLException {
        int n = orgs.size();
        Object[] o = new Object[n], bk = new Object[n], cnt = new Object[n], cpu = new Object[n], mem = new Object[n];
        Object[] cpuN = new Object[n], memN = new Object[n];
        int k = 0;
        for (Map.Entry<BucketKey, Aggregate> e : orgs.entrySet()) {
            o[k] = e.getKey().a();
            bk[k] = e.getKey().bucketMicros();
            cnt[k] = e.getValue().count();
            cpu[k] = e.getValue().sum(0);
            mem[k] = e.getValue().sum(1);
            cpuN[k] = e.getValue().count(0);
            memN[k] = e.getValue().count(1);
            k++;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_ORG_USAGE)) {
            ps.setArray(1, c.createArrayOf("bigint", o));
            ps.setArray(2, c.createArrayOf("bigint", bk));
            ps.setArray(3, c.createArrayOf("bigint", cnt));
            ps.setArray(4, c.createArrayOf("float8", cpu));
            ps.setArray(5, c.createArrayOf("float8", mem));
            ps.setArray(6, c.createArrayOf("bigint", cpuN));
            ps.setArray(7, c.createArrayOf("bigint", memN));
            ps.executeUpdate();
        }
    }
}
