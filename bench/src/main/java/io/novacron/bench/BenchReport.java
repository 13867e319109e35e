package io.novacron.bench;

import java.util.List;
import java.util.Map;

/**
 * Everything one {@code bench} run measured; written as JSON beside the Markdown report
 * ({@link ReportWriter}). Latencies in milliseconds, rates per second, sizes in bytes.
 */
public record BenchReport(String dataset, long seed, String date, String command, Machine machine, Load load,
                          List<ReadRow> reads, List<Floor> httpFloor, List<Freshness.Result> freshness, Storage.Result storage,
                          List<String> notes, List<ReplicaRow> replica, SecondOpinion wrk) {

    /**
     * The read tails measured again by {@code wrk} on the cache-off instance ({@link WrkRun});
     * {@code skipped}: why there are no rows ("wrk not installed", or turned off), else null.
     */
    public record SecondOpinion(String skipped, List<WrkRow> rows) {
    }

    /**
     * One read at one concurrency by wrk beside the project's client on the same cache-off
     * instance ({@code client}: the report's "optimized" cell), each with its own {@code GET /healthz}
     * floor at that concurrency; {@code p99OverFloor}: wrk's p99 ÷ wrk's floor p99; the collections of
     * the bench's JVM during each measured run (null when the service runs elsewhere, {@code --url}).
     */
    public record WrkRow(String query, int concurrency, WrkRun.Result wrk, LatencyRun.Stats client, WrkRun.Result wrkFloor,
                         LatencyRun.Stats clientFloor, Double p99OverFloor, GcPauses gcDuringWrk, GcPauses gcDuringClient) {
        static WrkRow of(String query, int concurrency, WrkRun.Result wrk, LatencyRun.Stats client, WrkRun.Result wrkFloor,
                         LatencyRun.Stats clientFloor, GcPauses gcDuringWrk, GcPauses gcDuringClient) {
            return new WrkRow(query, concurrency, wrk, client, wrkFloor, clientFloor,
                    wrkFloor.p99() > 0 ? wrk.p99() / wrkFloor.p99() : null, gcDuringWrk, gcDuringClient);
        }
    }

    /**
     * With {@code --replica}: one read at one concurrency on a cache-off instance whose reads may go
     * to the replica ({@code NOVACRON_DB_REPLICA_URLS}), beside the same draws on the primary-only
     * cache-off instance; {@code replicaShare}: of the reads the router ran during the measured
     * phase, the share the replica answered (the rest: the primary, because the replica was behind
     * the last acknowledged commit past the wait, or out of rotation).
     */
    public record ReplicaRow(String query, int concurrency, LatencyRun.Stats primaryOnly, LatencyRun.Stats withReplica,
                             long replicaReads, long primaryReads, Double replicaShare) {
    }

    /** {@code GET /healthz} on the cache-off instance: what HTTP alone costs at this concurrency. */
    public record Floor(int concurrency, LatencyRun.Stats stats) {
    }

    /** The optimization report's starting figures and this project's targets (issue 4), per read. */
    static final Map<String, String> TARGETS = Map.of(
            "dashboard", "p99 ≤ 5 ms (report: 180 ms)",
            "vm_listing", "p99 ≤ 10 ms (report: 85 ms)",
            "monitoring", "p99 ≤ 10 ms (report: 120 ms)",
            "node_capacity", "p99 ≤ 10 ms (report: 95 ms)",
            "metrics_aggregation", "p99 ≤ 20 ms (report: 220 ms)");

    /**
     * @param inventorySeconds time of the COPY of orgs, users, nodes and VMs
     * @param ingest  the metric load through HTTP ingestion (null with --skip-load)
     * @param naive   the row-by-row INSERT loop baseline
     */
    public record Load(boolean skipped, long inventoryRows, double inventorySeconds, MetricLoader.Result ingest,
                       NaiveInsert.Result naive) {
    }

    /**
     * One read at one concurrency: original = baseline SQL over JDBC, optimized = the service with
     * its cache off, cached = the service with its cache on; improvement = original ÷ optimized.
     * {@code cachedHitRatio}: of the cached path's measured requests, the share a cache tier
     * answered (from the service's counters; its warm-up drew other requests, so first-seen
     * requests of the measurement are misses); null when the cached path was not run.
     */
    public record ReadRow(String query, int concurrency, LatencyRun.Stats original, LatencyRun.Stats optimized,
                          LatencyRun.Stats cached, Double cachedHitRatio, Double improvementP50, Double improvementP99,
                          String target) {
        static ReadRow of(String query, int concurrency, LatencyRun.Stats original, LatencyRun.Stats optimized,
                          LatencyRun.Stats cached, Double cachedHitRatio) {
            Double p50 = ratio(original == null ? null : original.p50(), optimized == null ? null : optimized.p50());
            Double p99 = ratio(original == null ? null : original.p99(), optimized == null ? null : optimized.p99());
            return new ReadRow(query, concurrency, original, optimized, cached, cachedHitRatio, p50, p99, TARGETS.get(query));
        }

        private static Double ratio(Double a, Double b) {
            return a == null || b == null || b <= 0 ? null : a / b;
        }
    }
}
