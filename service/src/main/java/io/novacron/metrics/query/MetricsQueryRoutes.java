package io.novacron.metrics.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.cache.ReadCache;
import io.novacron.cache.Scope;
import io.novacron.db.Tx;
import io.novacron.metrics.series.MetricKind;
import io.novacron.metrics.series.Aggregate;
import io.novacron.metrics.rollup.RollupScope;
import io.novacron.reads.Sql;
import io.novacron.web.ApiException;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /api/v1/metrics/query}: one series ({@code scope=vm|node}) or one organization's
 * VMs together ({@code scope=org}) over a window, per step and aggregate. Buckets are
 * {@code date_bin(step, ts, 'epoch')}; a bucket cut by the window's edge aggregates only the
 * samples inside the window; empty buckets are omitted; {@code step=raw} gives one point per
 * distinct timestamp (for an organization: aggregated over its VMs at that instant). Every
 * aggregate of a metric is over the samples that carried it ({@code count} counts them), and a
 * bucket where no sample carried the metric is omitted from that metric's points.
 */
public final class MetricsQueryRoutes {
    /** Most points per series (Prometheus refuses more than 11,000 as well). */
    static final int MAX_POINTS = 11_000;
    static final int AUTO_MIN_POINTS = 200;
    private static final Set<String> KEYS = Set.of("scope", "id", "metric", "from", "to", "step", "agg");
    private static final List<String> AGGS = List.of("avg", "min", "max", "sum", "count", "p95");
    private static final Map<String, Long> STEPS = Map.of("raw", 0L, "1m", 60L, "5m", 300L, "1h", 3600L, "1d", 86400L);
    private static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

    // vm_id_key (id)
    private static final String VM_ORG = "SELECT org_id FROM vm WHERE id = ?";
    private static final String NODE_EXISTS = "SELECT 1 FROM node WHERE id = ?";
    private static final String ORG_EXISTS = "SELECT 1 FROM org WHERE id = ?";

    static final String ROUTE = "/api/v1/metrics/query";

    private final Tx tx;
    private final ReadCache cache;
    private final Clock clock;

    public MetricsQueryRoutes(Tx tx, ReadCache cache, Clock clock) {
        this.tx = tx;
        this.cache = cache;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.get(ROUTE, this::query);
    }

    static ApiException tooManyPoints(String why) {
        return ApiException.invalid("step", why + "; choose a coarser step or a shorter window",
                Map.of("max_points", MAX_POINTS));
    }

    private void query(Context ctx) {
        Principal caller = Principal.of(ctx);
        Params params = Params.of(ctx, KEYS);
        String scopeName = params.optString("scope");
        if (scopeName == null) {
            throw ApiException.invalid("scope", "scope is required: vm, node or org");
        }
        RollupScope scope = switch (scopeName) {
            case "vm" -> RollupScope.VM;
            case "node" -> RollupScope.NODE;
            case "org" -> RollupScope.ORG;
            default -> throw ApiException.invalid("scope", "scope must be vm, node or org");
        };
        MetricKind kind = scope.kind();
        List<String> metrics = params.list("metric");
        if (metrics.isEmpty()) {
            throw ApiException.invalid("metric", "at least one metric is required", Map.of("allowed", kind.metrics()));
        }
        for (String m : metrics) {
            if (kind.metricIndex(m) < 0) {
                throw ApiException.invalid("metric", "unknown metric '" + m + "' for scope " + scopeName, Map.of("allowed", kind.metrics()));
            }
        }
        List<String> aggs = params.list("agg").isEmpty() ? List.of("avg") : params.list("agg");
        for (String a : aggs) {
            if (!AGGS.contains(a)) {
                throw ApiException.invalid("agg", "unknown aggregate '" + a + "'", Map.of("allowed", AGGS));
            }
        }
        Instant to = params.optInstant("to");
        to = to == null ? clock.instant() : to;
        Instant from = params.optInstant("from");
        from = from == null ? to.minus(DEFAULT_WINDOW) : from;
        if (!from.isBefore(to)) {
            throw ApiException.invalid("from", "from must be before to");
        }
        long fromUs = micros(from), toUs = micros(to);
        String stepName = params.optString("step") == null ? "auto" : params.optString("step").toLowerCase(Locale.ROOT);
        if (stepName.equals("auto")) {
            stepName = autoStep(toUs - fromUs);
        }
        Long stepSeconds = STEPS.get(stepName);
        if (stepSeconds == null) {
            throw ApiException.invalid("step", "step must be raw, 1m, 5m, 1h, 1d or auto");
        }
        long stepUs = stepSeconds * 1_000_000L;
        if (stepUs > 0 && -Math.floorDiv(-(toUs - fromUs), stepUs) + 1 > MAX_POINTS) {
            throw tooManyPoints("the window has more than " + MAX_POINTS + " buckets at step " + stepName);
        }
        long[] key = authorize(caller, scope, params);
        // Cache key: the resolved question, in request order (series come back in that order).
        // Every stored sample notifies its organization (nodes: the platform), which retires the entry.
        Scope cacheScope = scope == RollupScope.NODE ? Scope.PLATFORM : Scope.org(key[0]);
        String cacheKey = scopeName + "|" + key[0] + "|" + key[1] + "|" + metrics + "|" + aggs + "|" + stepName
                + "|" + fromUs + "|" + toUs;
        Instant fromAt = from, toAt = to;
        String resolvedStep = stepName;
        cache.respond(ctx, ROUTE, cacheScope, cacheKey,
                () -> Sql.json(answer(scope, scopeName, key, metrics, aggs, resolvedStep, stepUs, fromAt, toAt)));
    }

    private Map<String, Object> answer(RollupScope scope, String scopeName, long[] key, List<String> metrics,
                                       List<String> aggs, String resolvedStep, long stepUs, Instant from, Instant to) {
        MetricKind kind = scope.kind();
        long fromUs = micros(from), toUs = micros(to);
        int sketches = sketchMask(kind, metrics, aggs);
        TreeMap<Long, Aggregate> buckets = tx.inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                // One snapshot for all tiers, so a concurrent compaction is seen entirely or not at all.
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            }
            return new SeriesReader(c, scope, key[0], key[1], stepUs, sketches).read(fromUs, toUs);
        });
        if (stepUs == 0 && buckets.size() > MAX_POINTS) {
            throw tooManyPoints("the window holds more than " + MAX_POINTS + " raw points");
        }
        // Bucket times are formatted once for all series of the answer.
        String[] times = new String[buckets.size()];
        Aggregate[] rows = new Aggregate[buckets.size()];
        int i = 0;
        for (Map.Entry<Long, Aggregate> e : buckets.entrySet()) {
            times[i] = Instant.EPOCH.plusNanos(e.getKey() * 1000).toString();
            rows[i++] = e.getValue();
        }
        List<Map<String, Object>> series = new ArrayList<>();
        for (String m : metrics) {
            int mi = kind.metricIndex(m);
            for (String agg : aggs) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("metric", m);
                s.put("agg", agg);
                s.put("points", new Points(times, rows, mi, agg));
                series.add(s);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("scope", scopeName);
        body.put("id", scope == RollupScope.VM ? key[1] : key[0]);
        body.put("step", resolvedStep);
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("series", series);
        return body;
    }

    /** The metrics whose sketches the answer needs (bit m: metric m): those asked, when p95 is. */
    private static int sketchMask(MetricKind kind, List<String> metrics, List<String> aggs) {
        int mask = 0;
        if (aggs.contains("p95")) {
            for (String m : metrics) {
                mask |= 1 << kind.metricIndex(m);
            }
        }
        return mask;
    }

    /** The coarsest step giving at least 200 points; 1m for windows shorter than 200 minutes. */
    static String autoStep(long spanMicros) {
        for (String s : List.of("1d", "1h", "5m")) {
            if (spanMicros / (STEPS.get(s) * 1_000_000L) >= AUTO_MIN_POINTS) {
                return s;
            }
        }
        return "1m";
    }

    /**
     * One series' {@code [time, value]} pairs, written straight to the JSON generator: an answer
     * holds up to 11,000 points per series, and a list of {@code Object[]} per point cost more
     * than the reads behind it.
     */
    private record Points(String[] times, Aggregate[] rows, int metric, String agg) implements JsonSerializable {
        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartArray(this);
            for (int k = 0; k < times.length; k++) {
                Aggregate a = rows[k];
                if (a.count(metric) == 0) {
                    continue; // no sample of the bucket carried this metric: an empty bucket for it
                }
                g.writeStartArray();
                g.writeString(times[k]);
                switch (agg) {
                    case "avg" -> g.writeNumber(a.avg(metric));
                    case "min" -> g.writeNumber(a.min(metric));
                    case "max" -> g.writeNumber(a.max(metric));
                    case "sum" -> g.writeNumber(a.sum(metric));
                    case "count" -> g.writeNumber(a.count(metric));
                    case "p95" -> g.writeNumber(a.p95(metric));
                    default -> throw new IllegalArgumentException(agg);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        }

        @Override
        public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer) throws IOException {
            serialize(g, provider);
        }
    }

    /** The table key of the asked series: {org, vm} for vm, {node, 0}, {org, 0}. Foreign or unknown → 404. */
    private long[] authorize(Principal caller, RollupScope scope, Params params) {
        Long id = params.optLong("id");
        switch (scope) {
            case VM -> {
                if (id == null) {
                    throw ApiException.invalid("id", "id (the VM) is required for scope=vm");
                }
                Long org = lookup(VM_ORG, id);
                if (org == null || !caller.sees(org)) {
                    throw ApiException.notFound("vm", id);
                }
                return new long[] {org, id};
            }
            case NODE -> {
                caller.requireAdmin();
                if (id == null) {
                    throw ApiException.invalid("id", "id (the node) is required for scope=node");
                }
                if (lookup(NODE_EXISTS, id) == null) {
                    throw ApiException.notFound("node", id);
                }
                return new long[] {id, 0};
            }
            default -> {
                if (!caller.isAdmin()) {
                    if (id != null && id != caller.orgId().longValue()) {
                        throw ApiException.notFound("organization", id);
                    }
                    return new long[] {caller.orgId(), 0};
                }
                if (id == null) {
                    throw ApiException.invalid("id", "the platform admin names the organization with id for scope=org");
                }
                if (lookup(ORG_EXISTS, id) == null) {
                    throw ApiException.notFound("organization", id);
                }
                return new long[] {id, 0};
            }
        }
    }

    private Long lookup(String sql, long id) {
        return tx.read(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    private static long micros(Instant i) {
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
