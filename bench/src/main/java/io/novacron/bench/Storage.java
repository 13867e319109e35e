package io.novacron.bench;

import io.novacron.db.Sql;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Storage cost from the catalog: bytes per raw VM sample (the {@code vm_metrics} partition tree
 * and the packed blocks of {@code vm_metric_block}, heap plus indexes plus TOAST, over the samples
 * they hold), hot and packed apart, the block codec against zstd, the size of every table of 1 MB or more
 * (rollups and read models included), and the database's total size.
 */
public final class Storage {
    public record Table(String name, long totalBytes, long heapBytes, long indexBytes) {
    }

    /** One storage tier of the VM series: its size (heap, indexes, TOAST) over the raw samples it covers. */
    public record Tier(String name, long bytes, long samples) {
        public double bytesPerSample() {
            return samples == 0 ? 0 : (double) bytes / samples;
        }
    }

    /**
     * @param vmSamples      hot rows plus packed samples; {@code vmMetricsBytes} both tiers' tables
     * @param vmSeriesBytes  every table holding VM series data ({@code vm_*}: raw samples, rollups,
     *                       latest values), so {@code vmSeriesBytes / vmSamples} is the all-in cost of a sample
     * @param packedSamples  VM samples in blocks ({@code vm_metric_block}), {@code packedBytes} its size
     * @param reference      the codec against zstd-22 on a sample of the blocks (null when nothing is packed)
     * @param tiers          VM series storage by tier: hot rows, packed blocks, each rollup tier (5 m, 1 h, 1 d), latest values
     * @param packedDay      bytes per raw sample of what a packed day keeps: its blocks, its hour and day rollup
     *                       rows, and the latest values over all samples (the 5-minute rows of a packed hour are
     *                       dropped, V41); 0 when nothing is packed
     */
    public record Result(long vmSamples, long vmMetricsBytes, double bytesPerVmSample, long vmSeriesBytes,
                         double seriesBytesPerVmSample, long nodeSamples, long nodeMetricsBytes, long databaseBytes,
                         List<Table> tables, long packedSamples, long packedBytes, PackedReference.Result reference,
                         List<Tier> tiers, double packedDay) {
        public long hotSamples() {
            return vmSamples - packedSamples;
        }

        public long hotBytes() {
            return vmMetricsBytes - packedBytes;
        }
    }

    private Storage() {
    }

    // pg_partition_tree lists a partitioned table with all its partitions (PostgreSQL 12+).
    private static final String TREE_SIZE = """
            SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(to_regclass(?))""";
    // Sizes per top-level table: a partitioned table's partitions are summed into it.
    private static final String TABLES = """
            SELECT coalesce(pg_partition_root(c.oid)::regclass::text, c.relname) AS name,
                   sum(pg_total_relation_size(c.oid)), sum(pg_relation_size(c.oid)), sum(pg_indexes_size(c.oid))
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
            WHERE c.relkind IN ('r', 'm')
            GROUP BY 1 HAVING sum(pg_total_relation_size(c.oid)) >= 1048576
            ORDER BY 2 DESC""";

    public static Result measure(Connection c) throws SQLException {
        long packedBytes = treeSize(c, "vm_metric_block");
        long packed = packedSamples(c, "vm_metric_block");
        long vmBytes = treeSize(c, "vm_metrics") + packedBytes, nodeBytes = treeSize(c, "node_metrics") + treeSize(c, "node_metric_block");
        long vmRows = count(c, "vm_metrics") + packed, nodeRows = count(c, "node_metrics") + packedSamples(c, "node_metric_block");
        List<Table> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TABLES)) {
            while (rs.next()) {
                tables.add(new Table(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
            }
        }
        long dbBytes;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
            rs.next();
            dbBytes = rs.getLong(1);
        }
        long series = tables.stream().filter(t -> t.name().startsWith("vm_")).mapToLong(Table::totalBytes).sum();
        List<Tier> tiers = List.of(
                new Tier("hot rows `vm_metrics`", vmBytes - packedBytes, vmRows - packed),
                new Tier("packed blocks `vm_metric_block`", packedBytes, packed),
                new Tier("rollup 5 m `vm_rollup_5m` (unpacked hours only)", relationSize(c, "vm_rollup_5m"), vmRows),
                new Tier("rollup 1 h `vm_rollup_1h`", relationSize(c, "vm_rollup_1h"), vmRows),
                new Tier("rollup 1 d `vm_rollup_1d`", relationSize(c, "vm_rollup_1d"), vmRows),
                new Tier("late partials `vm_rollup_delta`", relationSize(c, "vm_rollup_delta"), vmRows),
                new Tier("latest values `vm_latest`", relationSize(c, "vm_latest"), vmRows));
        double packedDay = packed == 0 ? 0 : tiers.get(1).bytesPerSample() + tiers.get(3).bytesPerSample() + tiers.get(4).bytesPerSample()
                + tiers.get(6).bytesPerSample();
        return new Result(vmRows, vmBytes, vmRows == 0 ? 0 : (double) vmBytes / vmRows, series,
                vmRows == 0 ? 0 : (double) series / vmRows, nodeRows, nodeBytes, dbBytes, tables, packed, packedBytes,
                packed == 0 ? null : PackedReference.measure(c, 20_000), tiers, packedDay);
    }

    /** VM samples in packed blocks, from the packer's own counts (V35): no scan of the blocks; 0 before V35. */
    static long packedVmSamples(Connection c) throws SQLException {
        return ifExists(c, "metric_pack_stats", "SELECT coalesce(sum(samples), 0) FROM metric_pack_stats WHERE scope = 'vm'");
    }

    private static long relationSize(Connection c, String table) throws SQLException {
        return Sql.count(c, "SELECT coalesce(pg_total_relation_size(to_regclass(?)), 0)", table);
    }

    private static long packedSamples(Connection c, String table) throws SQLException {
        return ifExists(c, table, "SELECT coalesce(sum(n), 0) FROM " + table);
    }

    private static long treeSize(Connection c, String table) throws SQLException {
        return Sql.count(c, TREE_SIZE, table);
    }

    private static long count(Connection c, String table) throws SQLException {
        return ifExists(c, table, "SELECT count(*) FROM " + table);
    }

    /** {@code sql}'s single number, or 0 when {@code table} does not exist (a database of an older version). */
    private static long ifExists(Connection c, String table, String sql) throws SQLException {
        return tableExists(c, table) ? Sql.count(c, sql) : 0;
    }

    static boolean tableExists(Connection c, String table) throws SQLException {
        return Sql.exists(c, "SELECT 1 WHERE to_regclass(?) IS NOT NULL", table);
    }
}
