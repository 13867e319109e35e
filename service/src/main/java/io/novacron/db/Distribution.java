package io.novacron.db;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How each table of the schema is placed on a Citus cluster (docs/SCALING.md), in one place: the
 * schema check ({@code CitusReadySchemaTest}) fails when a table is missing here or breaks its
 * placement's rules, and {@link #citusDdl()} prints the calls that distribute the schema.
 *
 * <ul>
 * <li>{@link Placement#TENANT}: distributed by {@code org_id}, all colocated (with {@code app_user}), so an
 *     organization's rows of every table share one shard group and every tenant read and write is
 *     routed to one worker. Every primary key, unique constraint and unique index includes
 *     {@code org_id}; a foreign key between two of them includes it on both sides.</li>
 * <li>{@link Placement#NODE}: the hypervisors' time series, distributed by {@code node_id} in their own
 *     colocation group: large, written by every node batch, and joined only with each other and
 *     with {@code node} (a reference table).</li>
 * <li>{@link Placement#REFERENCE}: small platform-wide tables copied to every worker, so a tenant
 *     table joins them locally: organizations (their globally unique names need a reference table),
 *     nodes, the rollup watermarks and the platform counters.</li>
 * <li>{@link Placement#COORDINATOR}: bookkeeping that stays a local table on the coordinator.</li>
 * </ul>
 */
public final class Distribution {
    public enum Placement { TENANT, NODE, REFERENCE, COORDINATOR }

    /** The distribution column of a placement, or null for undistributed ones. */
    public static String column(Placement p) {
        return switch (p) {
            case TENANT -> "org_id";
            case NODE -> "node_id";
            case REFERENCE, COORDINATOR -> null;
        };
    }

    /** Every table of the schema (partitions follow their parent). */
    public static final Map<String, Placement> TABLES = tables();

    private static Map<String, Placement> tables() {
        Map<String, Placement> m = new TreeMap<>();
        for (String t : List.of("vm", "app_user", "api_token", "audit_log", "vm_latest", "vm_metrics", "vm_metric_block", "vm_rollup",
                "vm_rollup_delta", "org_rollup", "org_rollup_delta", "org_usage_1m", "org_vm_stats", "org_node_vms",
                "org_owner_vms", "org_vm_created_1h", "org_summary")) {
            m.put(t, Placement.TENANT);
        }
        for (String t : List.of("node_latest", "node_metrics", "node_metric_block", "node_rollup", "node_rollup_delta")) {
            m.put(t, Placement.NODE);
        }
        for (String t : List.of("org", "node", "rollup_watermark", "platform_counts", "platform_vm_stats",
                "platform_vm_created_1h", "metric_pack_watermark", "metric_pack_dirty", "metric_pack_stats")) {
            m.put(t, Placement.REFERENCE);
        }
        m.put("flyway_schema_history", Placement.COORDINATOR);
        return Map.copyOf(m);
    }

    /**
     * The Citus calls, in an order that works: reference tables first (foreign keys point at them),
     * then the anchor of each colocation group, then the rest of the group colocated with it.
     * Run against a migrated schema on the coordinator, before any data (or use
     * {@code citus.multi_shard_modify_mode}/{@code undistribute_table} as the Citus docs describe).
     */
    public static List<String> citusDdl() {
        List<String> out = new ArrayList<>();
        new TreeMap<>(TABLES).forEach((t, p) -> {
            if (p == Placement.REFERENCE) {
                out.add("SELECT create_reference_table('" + t + "');");
            }
        });
        // app_user first: vm's foreign key (org_id, owner_id) needs its target distributed already.
        out.add("SELECT create_distributed_table('app_user', 'org_id');");
        new TreeMap<>(TABLES).forEach((t, p) -> {
            if (p == Placement.TENANT && !t.equals("app_user")) {
                out.add("SELECT create_distributed_table('" + t + "', 'org_id', colocate_with => 'app_user');");
            }
        });
        out.add("SELECT create_distributed_table('node_metrics', 'node_id', colocate_with => 'none');");
        new TreeMap<>(TABLES).forEach((t, p) -> {
            if (p == Placement.NODE && !t.equals("node_metrics")) {
                out.add("SELECT create_distributed_table('" + t + "', 'node_id', colocate_with => 'node_metrics');");
            }
        });
        return out;
    }

    private Distribution() {
    }
}
