package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.series.BucketKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.SortedMap;

/**
 * The read models the dashboard and monitoring read, maintained in the batch's transaction from
 * the newly stored samples only: {@code vm_latest}/{@code node_latest} (newest sample per series,
 * never moved backwards by a late one) and {@code org_usage_1m} (per org and minute, count and
 * sums of cpu and memory, each stored sample added once). Keys are sent sorted, so concurrent
 * batches take row locks in the same order.
 */
final class ReadModels {
    private ReadModels() {
    }

    // vm_latest primary key (org_id, vm_id); keys arrive sorted.
    private static final String UPSERT_VM_LATEST = """
            INSERT INTO vm_latest (org_id, vm_id, ts, cpu_usage, memory_usage, disk_read_bps, disk_write_bps, net_rx_bps, net_tx_bps)
            SELECT o, v, timestamptz 'epoch' + t * interval '1 microsecond', m0, m1, m2, m3, m4, m5
              FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::real[], ?::real[], ?::float8[], ?::float8[], ?::float8[], ?::float8[])
                   AS u(o, v, t, m0, m1, m2, m3, m4, m5)
            ON CONFLICT (org_id, vm_id) DO UPDATE SET ts = EXCLUDED.ts,
                cpu_usage = EXCLUDED.cpu_usage, memory_usage = EXCLUDED.memory_usage,
                disk_read_bps = EXCLUDED.disk_read_bps, disk_write_bps = EXCLUDED.disk_write_bps,
                net_rx_bps = EXCLUDED.net_rx_bps, net_tx_bps = EXCLUDED.net_tx_bps
            WHERE vm_latest.ts < EXCLUDED.ts""";

    // node_latest primary key (node_id)
    private static final String UPSERT_NODE_LATEST = """
            INSERT INTO node_latest (node_id, ts, cpu_usage, memory_usage, disk_usage, load_1m, net_rx_bps, net_tx_bps)
            SELECT v, timestamptz 'epoch' + t * interval '1 microsecond', m0, m1, m2, m3, m4, m5
              FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::real[], ?::real[], ?::real[], ?::real[], ?::float8[], ?::float8[])
                   AS u(o, v, t, m0, m1, m2, m3, m4, m5)
            ON CONFLICT (node_id) DO UPDATE SET ts = EXCLUDED.ts,
                cpu_usage = EXCLUDED.cpu_usage, memory_usage = EXCLUDED.memory_usage,
                disk_usage = EXCLUDED.disk_usage, load_1m = EXCLUDED.load_1m,
                net_rx_bps = EXCLUDED.net_rx_bps, net_tx_bps = EXCLUDED.net_tx_bps
            WHERE node_latest.ts < EXCLUDED.ts""";

    /** The newest stored sample of each series: in (org, series, ts) order it is the last stored one of its run. */
    static void upsertLatest(Connection c, SampleBatch b, boolean[] stored) throws SQLException {
        String sql = b.kind() == MetricKind.VM ? UPSERT_VM_LATEST : UPSERT_NODE_LATEST;
        int n = 0;
        int[] pick = new int[b.size];
        for (int i = 0; i < b.size; i++) {
            if (!stored[i]) {
                continue;
            }
            if (n > 0 && b.series[pick[n - 1]] == b.series[i] && b.org[pick[n - 1]] == b.org[i]) {
                pick[n - 1] = i;
            } else {
                pick[n++] = i;
            }
        }
        Object[][] cols = new Object[9][n];
        for (int k = 0; k < n; k++) {
            int i = pick[k];
            cols[0][k] = b.org[i];
            cols[1][k] = b.series[i];
            cols[2][k] = b.tsMicros[i];
            for (int m = 0; m < MetricKind.METRICS; m++) {
                cols[3 + m][k] = b.kind().isReal(m) ? (Object) (float) b.values[m][i] : (Object) b.values[m][i];
            }
        }
        String[] types = {"bigint", "bigint", "bigint", "real", "real", "float8", "float8", "float8", "float8"};
        if (b.kind() == MetricKind.NODE) {
            types = new String[] {"bigint", "bigint", "bigint", "real", "real", "real", "real", "float8", "float8"};
        }
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int col = 0; col < 9; col++) {
                ps.setArray(col + 1, c.createArrayOf(types[col], cols[col]));
            }
            ps.executeUpdate();
        }
    }

    // org_usage_1m primary key (org_id, bucket); keys arrive sorted; each stored sample is added once.
    private static final String UPSERT_ORG_USAGE = """
            INSERT INTO org_usage_1m (org_id, bucket, samples, cpu_sum, memory_sum)
            SELECT o, timestamptz 'epoch' + b * interval '1 microsecond', n, c, m
              FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::float8[], ?::float8[]) AS u(o, b, n, c, m)
            ON CONFLICT (org_id, bucket) DO UPDATE SET samples = org_usage_1m.samples + EXCLUDED.samples,
                cpu_sum = org_usage_1m.cpu_sum + EXCLUDED.cpu_sum, memory_sum = org_usage_1m.memory_sum + EXCLUDED.memory_sum""";

    static void upsertOrgUsage(Connection c, SortedMap<BucketKey, Aggregate> orgs) throws SQLException {
        int n = orgs.size();
        Object[] o = new Object[n], bk = new Object[n], cnt = new Object[n], cpu = new Object[n], mem = new Object[n];
        int k = 0;
        for (Map.Entry<BucketKey, Aggregate> e : orgs.entrySet()) {
            o[k] = e.getKey().a();
            bk[k] = e.getKey().bucketMicros();
            cnt[k] = e.getValue().count();
            cpu[k] = e.getValue().sum(0);
            mem[k] = e.getValue().sum(1);
            k++;
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_ORG_USAGE)) {
            ps.setArray(1, c.createArrayOf("bigint", o));
            ps.setArray(2, c.createArrayOf("bigint", bk));
            ps.setArray(3, c.createArrayOf("bigint", cnt));
            ps.setArray(4, c.createArrayOf("float8", cpu));
            ps.setArray(5, c.createArrayOf("float8", mem));
            ps.executeUpdate();
        }
    }
}
