package io.novacron.reads.dashboard;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.cache.Scope;
import io.novacron.db.Tx;
import io.novacron.reads.Sql;
import io.novacron.web.ApiException;
import io.novacron.web.Json;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/v1/dashboard}: one organization's (or, for the admin without {@code org_id},
 * the platform's) fleet figures, read in one statement from the counters the V20 and V24
 * triggers keep in step with every committed VM change. An org's dashboard reads its six state
 * rows and one summary row; the platform's reads 16 stripes of each total. Neither grows with
 * the number of VMs, nodes, owners or organizations, except the usage average below.
 *
 * <p>Windows, both relative to {@code as_of} (the database's {@code now()}):
 * {@code created_last_24h} counts VMs with {@code created_at > as_of - 24 h}, exactly (whole hours
 * from the hourly creation counters plus an index count over the partial first hour);
 * {@code cpu_usage_avg_5m}/{@code memory_usage_avg_5m} are sum/count over the org_usage_1m
 * buckets of the current minute and the 4 before it, each over the samples that carried that
 * metric (null when none did); for the
 * platform, over every organization's buckets of those minutes (one index range, a row per
 * reporting org and minute).
 */
public final class Dashboard {
    public static final String ROUTE = "/api/v1/dashboard";
    private static final Set<String> PARAMS = Set.of("org_id");
    private static final List<String> STATES = List.of("pending", "running", "stopped", "paused", "migrating", "error");

    // PKs of org_vm_stats, org_summary, org_vm_created_1h, org_usage_1m (all lead with org_id);
    // vm_org_created_idx for the partial hour. Every parameter is the org id.
    static final String ORG_FIGURES = """
            WITH t AS (SELECT now() AS as_of,
                              date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS whole_hours_from,
                              date_trunc('minute', now()) - interval '4 minutes' AS usage_from)
            SELECT t.as_of,
                   EXISTS (SELECT 1 FROM org WHERE id = ?) AS org_exists,
                   (SELECT coalesce(json_agg(json_build_array(state, vm_count, cpu_cores, memory_mb, disk_gb)), '[]')
                      FROM org_vm_stats WHERE org_id = ?)::text AS states,
                   coalesce(s.nodes_in_use, 0) AS nodes_in_use,
                   coalesce(s.owners, 0) AS owners,
                   (SELECT coalesce(sum(vm_count), 0) FROM org_vm_created_1h WHERE org_id = ? AND bucket >= t.whole_hours_from)
                   + (SELECT count(*) FROM vm WHERE org_id = ? AND created_at > t.as_of - interval '24 hours'
                                                 AND created_at < t.whole_hours_from) AS created_last_24h,
                   u.cpu_samples, u.memory_samples, u.cpu_sum, u.memory_sum
              FROM t
              LEFT JOIN org_summary s ON s.org_id = ?
             CROSS JOIN LATERAL (SELECT sum(coalesce(cpu_samples, samples)) AS cpu_samples,
                                          sum(coalesce(memory_samples, samples)) AS memory_samples,
                                          sum(cpu_sum) AS cpu_sum, sum(memory_sum) AS memory_sum
                                   FROM org_usage_1m WHERE org_id = ? AND bucket >= t.usage_from) u""";
    private static final int ORG_PARAMS = (int) ORG_FIGURES.chars().filter(ch -> ch == '?').count();

    // The V24 platform totals, 16 stripes each (platform_vm_created_1h by its (bucket, stripe)
    // key); vm_created_idx for the partial hour; org_usage_1m_bucket_idx for the usage window.
    static final String PLATFORM_FIGURES = """
            WITH t AS (SELECT now() AS as_of,
                              date_trunc('hour', now() - interval '24 hours') + interval '1 hour' AS whole_hours_from,
                              date_trunc('minute', now()) - interval '4 minutes' AS usage_from)
            SELECT t.as_of, true AS org_exists,
                   (SELECT coalesce(json_agg(json_build_array(state, n, c, m, d)), '[]')
                      FROM (SELECT state, sum(vm_count) n, sum(cpu_cores) c, sum(memory_mb) m, sum(disk_gb) d
                              FROM platform_vm_stats GROUP BY state) s)::text AS states,
                   p.nodes_in_use, p.owners,
                   (SELECT coalesce(sum(vm_count), 0) FROM platform_vm_created_1h WHERE bucket >= t.whole_hours_from)
                   + (SELECT count(*) FROM vm WHERE created_at > t.as_of - interval '24 hours'
                                                AND created_at < t.whole_hours_from) AS created_last_24h,
                   u.cpu_samples, u.memory_samples, u.cpu_sum, u.memory_sum
              FROM t,
                   LATERAL (SELECT sum(nodes_in_use) AS nodes_in_use, sum(owners) AS owners FROM platform_counts) p,
                   LATERAL (SELECT sum(coalesce(cpu_samples, samples)) AS cpu_samples,
                                          sum(coalesce(memory_samples, samples)) AS memory_samples,
                                          sum(cpu_sum) AS cpu_sum, sum(memory_sum) AS memory_sum
                              FROM org_usage_1m WHERE bucket >= t.usage_from) u""";

    public record Resources(long cpuCores, long memoryMb, long diskGb) {
    }

    public record Vms(long total, Map<String, Long> byState) {
    }

    public record Figures(Long orgId, Instant asOf, Vms vms, Resources allocated, Resources running,
                          long nodesInUse, long owners, @JsonProperty("created_last_24h") long createdLast24h,
                          @JsonProperty("cpu_usage_avg_5m") Double cpuUsageAvg5m,
                          @JsonProperty("memory_usage_avg_5m") Double memoryUsageAvg5m) {
    }

    private final Tx tx;
    private final ReadCache cache;

    public Dashboard(Tx tx, ReadCache cache) {
        this.tx = tx;
        this.cache = cache;
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::get);
    }

    private void get(Context ctx) {
        Params params = Params.of(ctx, PARAMS);
        Long org = Principal.of(ctx).orgScopeOrPlatform(params);
        Scope scope = org == null ? Scope.PLATFORM : Scope.org(org);
        cache.respond(ctx, ROUTE, scope, "", () -> Sql.json(tx.read(c -> figures(c, org))));
    }

    /** The figures of {@code org}, or of the platform when null; 404 for an unknown org. */
    public static Figures figures(Connection c, Long org) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(org == null ? PLATFORM_FIGURES : ORG_FIGURES)) {
            if (org != null) {
                for (int i = 1; i <= ORG_PARAMS; i++) {
                    ps.setLong(i, org);
                }
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean("org_exists")) {
                    throw ApiException.notFound("organization", org);
                }
                Map<String, Long> byState = new LinkedHashMap<>();
                STATES.forEach(s -> byState.put(s, 0L));
                long total = 0;
                long[] alloc = new long[3];
                long[] running = new long[3];
                for (JsonNode row : Json.MAPPER.readTree(rs.getString("states"))) {
                    String state = row.get(0).asText();
                    long n = row.get(1).asLong();
                    byState.merge(state, n, Long::sum);
                    total += n;
                    for (int k = 0; k < 3; k++) {
                        long v = row.get(k + 2).asLong();
                        if (!state.equals("stopped") && !state.equals("error")) { // vm_state_holds_resources
                            alloc[k] += v;
                        }
                        if (state.equals("running")) {
                            running[k] += v;
                        }
                    }
                }
                long cpuSamples = rs.getLong("cpu_samples"), memorySamples = rs.getLong("memory_samples");
                return new Figures(org, rs.getTimestamp("as_of").toInstant(), new Vms(total, byState),
                        new Resources(alloc[0], alloc[1], alloc[2]), new Resources(running[0], running[1], running[2]),
                        rs.getLong("nodes_in_use"), rs.getLong("owners"), rs.getLong("created_last_24h"),
                        cpuSamples == 0 ? null : rs.getDouble("cpu_sum") / cpuSamples,
                        memorySamples == 0 ? null : rs.getDouble("memory_sum") / memorySamples);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("states aggregate is not JSON", e);
            }
        }
    }
}
