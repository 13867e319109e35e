package io.novacron.metrics.series;

import java.util.List;

/**
 * The two kinds of series and their six metrics, in column order. Every metric is stored as a
 * nullable {@code double precision} (V32): a value comes back exactly as parsed, and a sample may
 * lack any metric but not all of them.
 */
public enum MetricKind {
    VM("vm", "vm_id", List.of("cpu_usage", "memory_usage", "disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps"),
            new boolean[] {true, true, false, false, false, false}),
    NODE("node", "node_id", List.of("cpu_usage", "memory_usage", "disk_usage", "load_1m", "net_rx_bps", "net_tx_bps"),
            new boolean[] {true, true, true, false, false, false});

    public static final int METRICS = 6;
    /** A field mask naming every metric (bit m: metric m). */
    public static final int ALL_FIELDS = (1 << METRICS) - 1;

    private final String measurement;
    private final String idField;
    private final List<String> metrics;
    private final boolean[] percent;

    MetricKind(String measurement, String idField, List<String> metrics, boolean[] percent) {
        this.measurement = measurement;
        this.idField = idField;
        this.metrics = metrics;
        this.percent = percent;
    }

    /** The line-protocol measurement name ({@code vm}, {@code node}). */
    public String measurement() {
        return measurement;
    }

    /** The JSON field and line-protocol tag naming the series ({@code vm_id}, {@code node_id}). */
    public String idField() {
        return idField;
    }

    public List<String> metrics() {
        return metrics;
    }

    /** Index of a metric name, or -1. */
    public int metricIndex(String name) {
        return metrics.indexOf(name);
    }

    /** A percentage (0 to 100)? The others must be non-negative. */
    public boolean isPercent(int metric) {
        return percent[metric];
    }
}
