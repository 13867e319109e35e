package io.novacron.metrics.rollup;

import io.novacron.metrics.series.MetricKind;
import java.util.List;

/**
 * The three rollup families and their tiers. Series (VM, node) rollups start at 5 minutes: at
 * one sample a minute a 1-minute series rollup would be a second copy of the raw table (one row
 * per sample), so 1-minute series answers come from raw rows. Organization rollups start at
 * 1 minute, where one row summarizes all of a tenant's VMs.
 *
 * <p>Series tiers are built from the raw samples behind {@link Watermarks} (only late samples
 * append a partial to the delta); organization tiers from a partial per batch, since reading raw
 * samples past a watermark would mean every VM of the tenant.
 *
 * @param table      the tiered table ({@code <table>_delta} holds the partials not yet compacted)
 * @param keys       key columns before {@code step_s, bucket}
 * @param stepsSeconds tiers, finest first; the delta's buckets are the finest tier's
 */
public enum RollupScope {
    VM("vm_rollup", List.of("org_id", "vm_id"), List.of(300, 3600, 86400), MetricKind.VM),
    NODE("node_rollup", List.of("node_id"), List.of(300, 3600, 86400), MetricKind.NODE),
    ORG("org_rollup", List.of("org_id"), List.of(60, 300, 3600, 86400), MetricKind.VM);

    private final String table;
    private final List<String> keys;
    private final List<Integer> stepsSeconds;
    private final MetricKind kind;

    RollupScope(String table, List<String> keys, List<Integer> stepsSeconds, MetricKind kind) {
        this.table = table;
        this.keys = keys;
        this.stepsSeconds = stepsSeconds;
        this.kind = kind;
    }

    public String table() {
        return table;
    }

    public String deltaTable() {
        return table + "_delta";
    }

    public List<String> keys() {
        return keys;
    }

    public List<Integer> stepsSeconds() {
        return stepsSeconds;
    }

    public int finestSeconds() {
        return stepsSeconds.get(0);
    }

    public MetricKind kind() {
        return kind;
    }

    /** Series scopes are compacted from raw samples behind watermarks; organizations are not. */
    public boolean watermarked() {
        return this != ORG;
    }

    /** The scope's row in {@code rollup_watermark}. */
    public String watermarkName() {
        return this == VM ? "vm" : "node";
    }

    /** The raw samples table of a series scope. */
    public String rawTable() {
        return kind == MetricKind.VM ? "vm_metrics" : "node_metrics";
    }

    /** The latest-values table of a series scope. */
    public String latestTable() {
        return kind == MetricKind.VM ? "vm_latest" : "node_latest";
    }

    /** "org_id, vm_id" */
    public String keyList() {
        return String.join(", ", keys);
    }
}
