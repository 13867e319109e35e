package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.TestApp;
import io.novacron.web.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole harness end to end on a tiny dataset against the real service: structure, not timings. */
class BenchRunTest {
    @RegisterExtension
    static final TestApp service = new TestApp(BenchRunTest.class);

    static final Dataset TINY = new Dataset("tiny", 3, 6, 4, 60, 20, 1, 60);

    @Test
    void aRunLoadsThroughTheIngestionApiAndReportsEveryReadPathFreshnessAndStorage(@TempDir Path dir) throws Exception {
        BenchRun.Options o = new BenchRun.Options(TINY, 42, service.baseUrl(), service.baseUrl(), service.app().config(), false,
                Duration.ofSeconds(2), Duration.ofMillis(100), 30, List.of(1, 2), Workloads.NAMES, false, true, 4, 300, dir, 500, 2, "bench (test)",
                null, 1);
        BenchReport r = BenchRun.run(o, new PrintStream(OutputStream.nullOutputStream()));

        MetricLoader.Result ingest = r.load().ingest();
        long series = TINY.vmSamples() + TINY.nodeSamples();
        assertThat(ingest.accepted()).isEqualTo(series);
        assertThat(ingest.accepted() + ingest.duplicates()).isEqualTo(ingest.sent());
        assertThat(r.storage().vmSamples()).isGreaterThanOrEqualTo(TINY.vmSamples());
        assertThat(r.load().naive().samples()).isEqualTo(300);

        assertThat(r.reads()).hasSize(Workloads.NAMES.size() * 2);
        for (BenchReport.ReadRow row : r.reads()) {
            for (LatencyRun.Stats s : new LatencyRun.Stats[] {row.original(), row.optimized(), row.cached()}) {
                assertThat(s).as(row.query() + " c=" + row.concurrency()).isNotNull();
                assertThat(s.calls()).isPositive();
                assertThat(s.errors()).as(s.firstError()).isZero();
                assertThat(s.p50()).isLessThanOrEqualTo(s.p99());
            }
            assertThat(row.improvementP50()).isNotNull();
            // The test service runs with its cache on: the cached path's hit share was measured.
            assertThat(row.cachedHitRatio()).as(row.query() + " c=" + row.concurrency()).isBetween(0.0, 1.0);
            // The split by variant accounts for every call.
            LatencyRun.Stats opt = row.optimized();
            assertThat(opt.variants()).isNotEmpty();
            assertThat(opt.variants().values().stream().mapToLong(LatencyRun.Stats::calls).sum()).isEqualTo(opt.calls());
        }
        assertThat(r.reads()).filteredOn(row -> row.query().equals("metrics_aggregation"))
                .allSatisfy(row -> assertThat(List.of("vm_24h_5m", "vm_24h_raw", "node_24h_5m", "org_24h_5m", "org_24h_5m_now", "vm_7d_auto"))
                        .containsAll(row.optimized().variants().keySet()));
        assertThat(r.httpFloor()).extracting(BenchReport.Floor::concurrency).containsExactly(1, 2);
        assertThat(r.httpFloor()).allSatisfy(f -> assertThat(f.stats().calls()).isPositive());
        assertThat(r.wrk().skipped()).isNull();
        assertThat(r.wrk().rows()).hasSize(Workloads.NAMES.size() * 2).allSatisfy(row -> {
            assertThat(row.wrk().requests()).as(row.query() + " c=" + row.concurrency()).isPositive();
            assertThat(row.wrk().non2xx3xx() + row.wrk().socketErrors()).as(row.query() + " c=" + row.concurrency()).isZero();
            assertThat(row.client()).isSameAs(r.reads().stream().filter(read -> read.query().equals(row.query())
                    && read.concurrency() == row.concurrency()).findFirst().orElseThrow().optimized());
            assertThat(row.wrkFloor().requests()).isPositive();
            assertThat(row.p99OverFloor()).isPositive();
        });
        assertThat(r.freshness()).extracting(Freshness.Result::read)
                .contains("dashboard", "monitoring", "aggregation");
        assertThat(r.freshness()).allSatisfy(f -> assertThat(f.trials()).isEqualTo(4));

        Path md = dir.resolve("tiny-" + r.date() + ".md");
        assertThat(Files.readString(md)).contains("| query | original p50 / p99 | optimized p50 / p99 (no cache) | cached p50 / p99 | improvement | target |")
                .contains("### By variant").contains("## Ingest").contains("## Second opinion: wrk (cache off)").contains("## Freshness").contains("## Storage").contains("## Machine").contains("bench (test)");
        JsonNode json = Json.MAPPER.readTree(dir.resolve("tiny-" + r.date() + ".json").toFile());
        assertThat(json.path("reads").size()).isEqualTo(10);
        assertThat(json.path("wrk").path("rows").size()).isEqualTo(10);
        assertThat(json.path("machine").path("settings").has("shared_buffers")).isTrue();
    }
}
