package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The keys of a batch that already had a row: their metrics not stored yet are filled in
 * ({@code col = coalesce(col, sent)}), the others are duplicates. The rows are locked first
 * ({@code FOR UPDATE}, in key order like every ingest upsert) and their present metrics read, so
 * what counts as new is decided against the row as it is at commit: two batches filling the same
 * sample at once cannot both count a metric. Runs only when the insert met conflicts (retries,
 * late parts of a sample), so the common path stays one {@code INSERT … ON CONFLICT DO NOTHING}.
 */
final class PartialFills {
    private PartialFills() {
    }

    private static String presentMask(MetricKind kind) {
        List<String> bits = new ArrayList<>();
        for (int m = 0; m < MetricKind.METRICS; m++) {
            bits.add("(CASE WHEN r." + kind.metrics().get(m) + " IS NULL THEN 0 ELSE " + (1 << m) + " END)");
        }
        return String.join(" | ", bits);
    }

    private static final String KEYS = "unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::int[]) AS u(o, s, t, f)";
    private static final String TS = "timestamptz 'epoch' + u.t * interval '1 microsecond'";

    /** Sets {@code newFields} of the conflicting keys (first samples not {@code inserted}) to the metrics filled in. */
    static void fill(Connection c, SampleBatch b, KeyGroups keys, boolean[] inserted, int[] newFields) throws SQLException {
        MetricKind kind = b.kind();
        boolean vm = kind == MetricKind.VM;
        String raw = vm ? "vm_metrics" : "node_metrics";
        String keyMatch = vm ? "r.org_id = u.o AND r.vm_id = u.s" : "r.node_id = u.s";
        List<Integer> conflicts = new ArrayList<>();
        for (int i = 0; i < b.size; i++) {
            if (keys.first[i] && !inserted[i]) {
                conflicts.add(i);
            }
        }
        Object[] o = new Object[conflicts.size()], s = new Object[conflicts.size()], t = new Object[conflicts.size()];
        Object[] f = new Object[conflicts.size()];
        for (int k = 0; k < conflicts.size(); k++) {
            int i = conflicts.get(k);
            o[k] = b.org[i];
            s[k] = b.series[i];
            t[k] = b.tsMicros[i];
            f[k] = b.fields[i];
        }
        // Raw primary key, one probe per key; sorted like the batch, so locks are taken in key order.
        // Only rows missing a sent metric are locked: a retried batch (all duplicates) locks and
        // writes nothing. A row passes the filter on its latest version (rechecked after the lock
        // wait), and rows only ever gain metrics, so a row filtered out stays a duplicate.
        String present = presentMask(kind);
        String lock = "SELECT " + (vm ? "r.org_id, r.vm_id" : "0, r.node_id") + ", date_part('epoch', r.ts), " + present
                + " FROM " + KEYS + " JOIN " + raw + " r ON " + keyMatch + " AND r.ts = " + TS
                + " WHERE ((" + present + ") & u.f) <> u.f ORDER BY 1, 2, 3 FOR UPDATE OF r";
        List<Integer> fills = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(lock)) {
            ps.setArray(1, c.createArrayOf("bigint", o));
            ps.setArray(2, c.createArrayOf("bigint", s));
            ps.setArray(3, c.createArrayOf("bigint", t));
            ps.setArray(4, c.createArrayOf("int4", f));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = keys.firstOf(b, rs.getLong(1), rs.getLong(2), Math.round(rs.getDouble(3) * 1_000_000d));
                    int add = b.fields[i] & ~rs.getInt(4);
                    if (add != 0) {
                        newFields[i] = add;
                        fills.add(i);
                    }
                }
            }
        }
        if (fills.isEmpty()) {
            return;
        }
        Collections.sort(fills);
        int n = fills.size();
        Object[] fo = new Object[n], fs = new Object[n], ft = new Object[n];
        Object[][] v = new Object[MetricKind.METRICS][n];
        for (int k = 0; k < n; k++) {
            int i = fills.get(k);
            fo[k] = b.org[i];
            fs[k] = b.series[i];
            ft[k] = b.tsMicros[i];
            for (int m = 0; m < MetricKind.METRICS; m++) {
                v[m][k] = (newFields[i] & (1 << m)) != 0 ? (Object) b.values[m][i] : null;
            }
        }
        StringBuilder set = new StringBuilder();
        StringBuilder cols = new StringBuilder();
        StringBuilder arrays = new StringBuilder();
        for (int m = 0; m < MetricKind.METRICS; m++) {
            String col = kind.metrics().get(m);
            set.append(m == 0 ? "" : ", ").append(col).append(" = coalesce(r.").append(col).append(", u.m").append(m).append(")");
            cols.append(", m").append(m);
            arrays.append(", ?::float8[]");
        }
        // The rows are locked by this transaction: the columns filled are exactly those found NULL above.
        String update = "UPDATE " + raw + " r SET " + set + " FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]" + arrays + ") AS u(o, s, t" + cols + ")"
                + " WHERE " + keyMatch + " AND r.ts = " + TS;
        try (PreparedStatement ps = c.prepareStatement(update)) {
            ps.setArray(1, c.createArrayOf("bigint", fo));
            ps.setArray(2, c.createArrayOf("bigint", fs));
            ps.setArray(3, c.createArrayOf("bigint", ft));
            for (int m = 0; m < MetricKind.METRICS; m++) {
                ps.setArray(4 + m, c.createArrayOf("float8", v[m]));
            }
            int updated = ps.executeUpdate();
            if (updated != n) {
                throw new IllegalStateException("filled " + updated + " of " + n + " locked samples");
            }
        }
    }
}
