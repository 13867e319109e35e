package io.novacron.bench;

import io.novacron.web.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Renders a {@link BenchReport} as the Markdown report and writes it with its JSON twin. */
public final class ReportWriter {
    private ReportWriter() {
    }

    /** Writes {@code <dir>/<dataset>-<date>.md} and {@code .json}; returns the Markdown path. */
    public static Path write(BenchReport r, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path md = dir.resolve(r.dataset() + "-" + r.date() + ".md");
        Files.writeString(md, markdown(r));
        Files.writeString(dir.resolve(r.dataset() + "-" + r.date() + ".json"),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r) + "\n");
        return md;
    }

    public static String markdown(BenchReport r) {
        StringBuilder s = new StringBuilder();
        s.append("# Benchmark: `").append(r.dataset()).append("` dataset, ").append(r.date()).append("\n\n");
        s.append("Command: `").append(r.command()).append("`  \n");
        s.append("Commit: `").append(r.machine().commit()).append("`, seed ").append(r.seed()).append("\n\n");
        for (int c : r.reads().stream().mapToInt(BenchReport.ReadRow::concurrency).distinct().toArray()) {
            s.append("## Critical reads, concurrency ").append(c).append("\n\n");
            s.append("| query | original p50 / p99 | optimized p50 / p99 (no cache) | cached p50 / p99 | improvement | target |\n");
            s.append("|---|---|---|---|---|---|\n");
            for (BenchReport.ReadRow row : r.reads()) {
                if (row.concurrency() == c) {
                    s.append("| ").append(row.query()).append(" | ").append(pair(row.original())).append(" | ")
                            .append(pair(row.optimized())).append(" | ").append(pair(row.cached())).append(hits(row)).append(" | ")
                            .append(improvement(row)).append(" | ").append(row.target()).append(" |\n");
                }
            }
            s.append('\n');
        }
        s.append("Latencies in ms, end to end over HTTP on loopback for the service; original = the baseline SQL on the base "
                + "tables over JDBC, same parameters, same concurrency; improvement = original ÷ optimized (no cache), p50 and p99; "
                + "hits = share of the cached path's measured requests answered from the cache (its warm-up drew other "
                + "requests, so a request first seen in the measurement is a miss).\n");
        for (BenchReport.Floor f : r.httpFloor()) {
            s.append(String.format(Locale.ROOT, "HTTP floor at concurrency %d (`GET /healthz`, no database, same client): %s.  %n",
                    f.concurrency(), pair(f.stats())));
        }
        s.append('\n');
        s.append("### Every cell\n\n| query | c | path | calls | errors | p50 | p95 | p99 | max | req/s |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (BenchReport.ReadRow row : r.reads()) {
            detail(s, row, "original", row.original());
            detail(s, row, "optimized", row.optimized());
            detail(s, row, "cached", row.cached());
        }
        variants(s, r);
        replica(s, r);
        secondOpinion(s, r.wrk());
        ingest(s, r.load());
        s.append("\n## Freshness (acknowledged write → visible in the read)\n\n| write | read | trials | timeouts | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|\n");
        for (Freshness.Result f : r.freshness()) {
            s.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.1f | %.1f | %.1f |%n", f.write(), f.read(), f.trials(),
                    f.timeouts(), f.p50(), f.p99(), f.max()));
        }
        storage(s, r.storage());
        Machine m = r.machine();
        s.append("\n## Machine\n\n").append(String.format(Locale.ROOT, "- %d cores, %.1f GiB memory, %s, %s%n", m.cores(),
                m.memoryGib(), m.os(), m.java()));
        s.append("- ").append(m.postgres()).append('\n');
        m.settings().forEach((k, v) -> s.append("  - `").append(k).append("` = ").append(v).append('\n'));
        if (!r.notes().isEmpty()) {
            s.append("\n## Notes\n\n");
            r.notes().forEach(n -> s.append("- ").append(n).append('\n'));
        }
        return s.toString();
    }

    private static void replica(StringBuilder s, BenchReport r) {
        if (r.replica() == null || r.replica().isEmpty()) {
            return;
        }
        s.append("\n## Reads with a streaming replica (cache off)\n\n| query | c | primary only p50 / p99 | with replica p50 / p99 "
                + "| served by the replica | by the primary |\n|---|---|---|---|---|---|\n");
        for (BenchReport.ReplicaRow row : r.replica()) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s (%,d) | %,d |%n", row.query(), row.concurrency(),
                    pair(row.primaryOnly()), pair(row.withReplica()),
                    row.replicaShare() == null ? "n/a" : String.format(Locale.ROOT, "%.1f %%", 100 * row.replicaShare()),
                    row.replicaReads(), row.primaryReads()));
        }
        s.append("\nSame draws as the primary-only column; the replica instance checks each read against the last "
                + "acknowledged commit's WAL position (db.ReplicaRouter). The counts cover the measured phase only (after "
                + "warm-up).\n");
    }

    private static void secondOpinion(StringBuilder s, BenchReport.SecondOpinion w) {
        s.append("\n## Second opinion: wrk (cache off)\n\n");
        if (w.skipped() != null) {
            s.append("Not measured: ").append(w.skipped()).append(".\n");
            return;
        }
        s.append("| query | c | wrk p50 / p99 / p99.9 ms | wrk req/s | project client p50 / p99 ms | project req/s "
                + "| wrk p99 ÷ wrk /healthz p99 | GCs / ms during wrk · client | errors |\n|---|---|---|---|---|---|---|---|---|\n");
        for (BenchReport.WrkRow row : w.rows()) {
            WrkRun.Result k = row.wrk();
            LatencyRun.Stats c = row.client();
            s.append(String.format(Locale.ROOT, "| %s | %d | %s / %s / %s | %,.0f | %s | %s | %s | %s · %s | %d / %d / %s |%n", row.query(),
                    row.concurrency(), fmt(k.p50()), fmt(k.p99()), fmt(k.p999()), k.requestsPerSecond(),
                    c == null ? "n/a" : fmt(c.p50()) + " / " + fmt(c.p99()), c == null ? "n/a" : String.format(Locale.ROOT, "%,.0f", c.throughput()),
                    row.p99OverFloor() == null ? "n/a" : String.format(Locale.ROOT, "×%.1f", row.p99OverFloor()),
                    row.gcDuringWrk() == null ? "n/a" : row.gcDuringWrk(), row.gcDuringClient() == null ? "n/a" : row.gcDuringClient(),
                    k.non2xx3xx(), k.socketErrors(), c == null ? "n/a" : Long.toString(c.errors())));
        }
        s.append("\nBoth are closed loop at the same connection count, so where they differ it comes from the request rate each "
                + "sustains and where the time is spent: the project's client is Java (in the service's own JVM, unless the "
                + "bench measured a running service with --url), wrk is a separate native "
                + "process. wrk replays ").append(WrkRun.DRAWS).append(" requests drawn up front (the project client's first thread's "
                + "draws) and cannot follow cursors, so its vm_listing is first pages only, where the project client's follows 1-100 "
                + "pages. errors = wrk's answers with status ≥ 400 / wrk's socket errors and timeouts / the project client's errors. "
                + "GCs = collections of the bench's JVM (the service's, and the client's during its own runs) and their total time "
                + "during the run (wrk's 1 s warm-up included).\n");
        s.append('\n');
        Set<Integer> floorShown = new HashSet<>();
        for (BenchReport.WrkRow row : w.rows()) {
            if (floorShown.add(row.concurrency())) {
                WrkRun.Result f = row.wrkFloor();
                s.append(String.format(Locale.ROOT, "wrk's floor at concurrency %d (`GET /healthz`): %s / %s / %s ms, %,.0f req/s; "
                                + "the project client's: %s.  %n", row.concurrency(), fmt(f.p50()), fmt(f.p99()), fmt(f.p999()),
                        f.requestsPerSecond(), pair(row.clientFloor())));
            }
        }
    }

    private static void ingest(StringBuilder s, BenchReport.Load l) {
        s.append("\n## Ingest\n\n");
        if (l.skipped() || l.ingest() == null) {
            s.append("- dataset load skipped (`--skip-load`): no ingest figure in this run\n");
        } else {
            MetricLoader.Result i = l.ingest();
            s.append(String.format(Locale.ROOT, "- inventory (COPY into the V1 tables): %,d rows in %.1f s%n",
                    l.inventoryRows(), l.inventorySeconds()));
            s.append(String.format(Locale.ROOT, "- metric samples through `POST /api/v1/metrics/vms|nodes` (JSON, rollups and "
                            + "latest values maintained): **%,.0f samples/s** — %,d sent in %,d batches in %.1f s, %,d accepted, "
                            + "%,d duplicates, %,d retries%n", i.samplesPerSecond(), i.sent(), i.batches(), i.seconds(),
                    i.accepted(), i.duplicates(), i.retries()));
        }
        if (l.naive() != null) {
            NaiveInsert.Result n = l.naive();
            s.append(String.format(Locale.ROOT, "- naive row-by-row INSERT loop (autocommit, one table keyed (vm_id, ts), no rollups): "
                    + "%,.0f samples/s (%,d samples in %.1f s)%n", n.samplesPerSecond(), n.samples(), n.seconds()));
            if (l.ingest() != null && n.samplesPerSecond() > 0) {
                s.append(String.format(Locale.ROOT, "- ingestion path ÷ naive loop: ×%.1f%n", l.ingest().samplesPerSecond() / n.samplesPerSecond()));
            }
        }
    }

    private static void storage(StringBuilder s, Storage.Result st) {
        s.append("\n## Storage\n\n");
        s.append(String.format(Locale.ROOT, "- raw VM samples (`vm_metrics` rows + `vm_metric_block` blocks, all partitions, heap + indexes + TOAST):"
                + " %,d samples, %s, **%.1f bytes per sample**%n", st.vmSamples(), size(st.vmMetricsBytes()), st.bytesPerVmSample()));
        s.append(String.format(Locale.ROOT, "  - hot (rows): %,d samples, %s, %.1f bytes per sample (a partition's pages freed by packing are reused by"
                        + " later rows of its day, not handed back)%n", st.hotSamples(), size(st.hotBytes()),
                st.hotSamples() == 0 ? 0 : (double) st.hotBytes() / st.hotSamples()));
        s.append(String.format(Locale.ROOT, "  - packed (blocks): %,d samples, %s, **%.2f bytes per sample**%n", st.packedSamples(), size(st.packedBytes()),
                st.packedSamples() == 0 ? 0 : (double) st.packedBytes() / st.packedSamples()));
        if (st.reference() != null) {
            PackedReference.Result z = st.reference();
            s.append(String.format(Locale.ROOT, "  - block payload on %,d blocks (%,d samples): codec %.2f B/sample; zstd level %d of the same column"
                            + " streams (8-byte values): %.2f B/sample per column, %.2f per block (codec ÷ best zstd: %.2f)%n",
                    z.blocks(), z.samples(), z.codecPerSample(), PackedReference.LEVEL, z.zstdColumnPerSample(), z.zstdBlockPerSample(),
                    z.codecPerSample() / Math.min(z.zstdColumnPerSample(), z.zstdBlockPerSample())));
        }
        if (st.tiers() != null) {
            s.append("\n| VM series tier | size | raw samples covered | bytes per sample |\n|---|---|---|---|\n");
            for (Storage.Tier t : st.tiers()) {
                s.append(String.format(Locale.ROOT, "| %s | %s | %,d | %.2f |%n", t.name(), size(t.bytes()), t.samples(), t.bytesPerSample()));
            }
            if (st.packedDay() > 0) {
                s.append(String.format(Locale.ROOT, "| **kept for a packed day**: blocks + 1 h + 1 d + latest values | | | **%.1f** |%n", st.packedDay()));
            }
            s.append('\n');
        }
        s.append(String.format(Locale.ROOT, "- all VM series tables (`vm_*` of 1 MB or more: raw, rollups, latest values): %s, "
                + "%.0f bytes per raw sample%n", size(st.vmSeriesBytes()), st.seriesBytesPerVmSample()));
        s.append(String.format(Locale.ROOT, "- raw node samples (`node_metrics`): %,d rows, %s%n", st.nodeSamples(), size(st.nodeMetricsBytes())));
        s.append("- whole database: ").append(size(st.databaseBytes())).append("\n\n| table (partitions summed) | total | heap | indexes |\n|---|---|---|---|\n");
        for (Storage.Table t : st.tables()) {
            s.append("| ").append(t.name()).append(" | ").append(size(t.totalBytes())).append(" | ").append(size(t.heapBytes()))
                    .append(" | ").append(size(t.indexBytes())).append(" |\n");
        }
    }

    /** The service without cache, split by request variant: which requests make the tail. */
    private static void variants(StringBuilder s, BenchReport r) {
        StringBuilder rows = new StringBuilder();
        for (BenchReport.ReadRow row : r.reads()) {
            LatencyRun.Stats st = row.optimized();
            if (st != null) {
                st.variants().forEach((v, vs) -> rows.append(String.format(Locale.ROOT, "| %s | %d | %s | %,d | %.2f | %.2f | %.2f | %.2f |%n",
                        row.query(), row.concurrency(), v, vs.calls(), vs.p50(), vs.p95(), vs.p99(), vs.max())));
            }
        }
        if (!rows.isEmpty()) {
            s.append("\n### By variant (service, cache off)\n\n| query | c | variant | calls | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|---|\n")
                    .append(rows);
        }
    }

    private static void detail(StringBuilder s, BenchReport.ReadRow row, String path, LatencyRun.Stats st) {
        if (st == null) {
            return;
        }
        s.append(String.format(Locale.ROOT, "| %s | %d | %s | %,d | %d | %.2f | %.2f | %.2f | %.2f | %,.0f |%n", row.query(),
                row.concurrency(), path, st.calls(), st.errors(), st.p50(), st.p95(), st.p99(), st.max(), st.throughput()));
    }

    /** ", 97 % hits" after the cached cell, when the hit share was measured. */
    private static String hits(BenchReport.ReadRow row) {
        return row.cachedHitRatio() == null ? "" : String.format(Locale.ROOT, ", %.0f %% hits", 100 * row.cachedHitRatio());
    }

    static String pair(LatencyRun.Stats st) {
        if (st == null) {
            return "n/a";
        }
        if (st.calls() == 0) {
            return "failed";
        }
        return fmt(st.p50()) + " / " + fmt(st.p99()) + " ms" + (st.errors() > 0 ? " (" + st.errors() + " errors)" : "");
    }

    private static String improvement(BenchReport.ReadRow row) {
        if (row.improvementP50() == null) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "×%.1f / ×%.1f", row.improvementP50(), row.improvementP99());
    }

    static String fmt(double ms) {
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : ms >= 10 ? String.format(Locale.ROOT, "%.1f", ms)
                : String.format(Locale.ROOT, "%.2f", ms);
    }

    static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
