package io.novacron.metrics.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where ingest time goes, per phase, as Micrometer timers ({@code novacron_ingest_phase_seconds})
 * and as running totals the ingest benchmark reads; plus sample counters
 * ({@code novacron_ingest_samples_total{result=accepted|duplicate}}).
 */
public final class IngestTimings {
    public enum Phase { PARSE, VALIDATE, SORT, STAGE_COPY, MERGE, LATEST_USAGE, ROLLUP_BUILD, ROLLUP_COPY, COMMIT }

    private final Map<Phase, Timer> timers = new EnumMap<>(Phase.class);
    private final Map<Phase, LongAdder> totals = new EnumMap<>(Phase.class);
    private final Counter accepted;
    private final Counter duplicates;

    public IngestTimings(MeterRegistry registry) {
        for (Phase p : Phase.values()) {
            timers.put(p, Timer.builder("novacron_ingest_phase").tag("phase", p.name().toLowerCase())
                    .description("time spent per ingest phase").register(registry));
            totals.put(p, new LongAdder());
        }
        accepted = Counter.builder("novacron_ingest_samples").tag("result", "accepted").register(registry);
        duplicates = Counter.builder("novacron_ingest_samples").tag("result", "duplicate").register(registry);
    }

    /** Records the time since {@code startNanos}; returns now, the next phase's start. */
    public long record(Phase phase, long startNanos) {
        long now = System.nanoTime();
        timers.get(phase).record(now - startNanos, TimeUnit.NANOSECONDS);
        totals.get(phase).add(now - startNanos);
        return now;
    }

    void counted(long stored, long dup) {
        accepted.increment(stored);
        duplicates.increment(dup);
    }

    /** Total nanoseconds per phase since start. */
    public Map<Phase, Long> totalsNanos() {
        Map<Phase, Long> m = new LinkedHashMap<>();
        totals.forEach((p, a) -> m.put(p, a.sum()));
        return m;
    }
}
