package io.novacron.metrics.block;

import io.novacron.metrics.series.MetricKind;

/** Names of a series kind's packed-history tables (V35) and its locks. */
public enum BlockTable {
    VM(MetricKind.VM, "vm_metric_block", "vm_metrics", "org_id, vm_id", "vm"),
    NODE(MetricKind.NODE, "node_metric_block", "node_metrics", "node_id", "node");

    /** Blocks are UTC hours. */
    public static final long SPAN_MICROS = 3_600_000_000L;

    private final MetricKind kind;
    private final String table;
    private final String rawTable;
    private final String keys;
    private final String scope;

    BlockTable(MetricKind kind, String table, String rawTable, String keys, String scope) {
        this.kind = kind;
        this.table = table;
        this.rawTable = rawTable;
        this.keys = keys;
        this.scope = scope;
    }

    public static BlockTable of(MetricKind kind) {
        return kind == MetricKind.VM ? VM : NODE;
    }

    public MetricKind kind() {
        return kind;
    }

    public String table() {
        return table;
    }

    public String rawTable() {
        return rawTable;
    }

    /** Key columns before {@code block_start} / {@code ts}. */
    public String keys() {
        return keys;
    }

    public boolean twoKeys() {
        return this == VM;
    }

    /** The scope's name in {@code metric_pack_watermark}, {@code metric_pack_dirty} and {@code rollup_watermark}. */
    public String scope() {
        return scope;
    }

    /**
     * Held shared by an ingest batch that stores samples below {@code packed_until}, exclusive by
     * the packer while it writes blocks: the batch's duplicate check against the blocks and its
     * rows then see the same blocks.
     */
    String packLock() {
        return "metric_pack_" + scope;
    }

    /** SQL for epoch microseconds (a bigint expression in %s) as an exact timestamptz. */
    static final String EPOCH_MICROS = "(timestamptz 'epoch' + (%s) * interval '1 microsecond')";

    static long micros(java.sql.Timestamp t) {
        return Math.addExact(Math.multiplyExact(Math.floorDiv(t.getTime(), 1000L), 1_000_000L), t.getNanos() / 1000);
    }

    public static long hourOf(long micros) {
        return Math.floorDiv(micros, SPAN_MICROS) * SPAN_MICROS;
    }
}
