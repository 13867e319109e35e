package io.novacron.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * Drives one workload against one target at a fixed concurrency: {@code concurrency} client
 * threads each draw requests and send them back to back (closed loop). A warm-up (JIT, plans,
 * buffer cache, and the result cache when on) is run and thrown away; then calls are measured
 * until {@code requests} calls are done or {@code duration} has passed, whichever comes first.
 */
public final class LatencyRun {
    /** Highest latency tracked: one minute, in microseconds; 3 significant digits. */
    static final long MAX_MICROS = 60_000_000L;

    /**
     * Latency figures in milliseconds, throughput in calls per second; {@code variants} splits them
     * by request variant (which filter combination, which scope...) to tell what makes the tail.
     */
    public record Stats(long calls, long errors, double p50, double p95, double p99, double max, double throughput,
                        double seconds, String firstError, Map<String, Stats> variants) {
        static Stats of(Histogram h, long errors, double seconds, String firstError, Map<String, Stats> variants) {
            long n = h.getTotalCount();
            return new Stats(n, errors, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(95)),
                    ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()), n / Math.max(1e-9, seconds), seconds, firstError,
                    variants);
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    private final Workloads workloads;
    private final long requests;
    private final Duration duration;
    private final Duration warmup;

    public LatencyRun(Workloads workloads, long requests, Duration duration, Duration warmup) {
        this.workloads = workloads;
        this.requests = requests;
        this.duration = duration;
        this.warmup = warmup;
    }

    /** The thrown-away warm-up, on other draws than {@link #measure}'s (same seed, same measure draws). */
    public void warmUp(Target target, String workload, int concurrency, long seed) throws InterruptedException {
        phase(target, workload, concurrency, seed ^ 0x5EED, Math.max(50, requests / 10), warmup);
    }

    public Stats measure(Target target, String workload, int concurrency, long seed) throws InterruptedException {
        return phase(target, workload, concurrency, seed, requests, duration);
    }

    private Stats phase(Target target, String workload, int concurrency, long seed, long maxCalls, Duration maxTime)
            throws InterruptedException {
        long deadline = System.nanoTime() + maxTime.toNanos();
        AtomicLong calls = new AtomicLong(), errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        List<Map<String, Histogram>> histograms = new ArrayList<>(); // per thread, by variant
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            Map<String, Histogram> byVariant = new HashMap<>();
            histograms.add(byVariant);
            SplittableRandom r = Streams.of(seed, t);
            Thread th = new Thread(() -> {
                while (calls.get() < maxCalls && System.nanoTime() < deadline) {
                    Request req = workloads.draw(workload, r);
                    Histogram h = byVariant.computeIfAbsent(req.variant(), v -> new Histogram(MAX_MICROS, 3));
                    long before = h.getTotalCount();
                    try {
                        target.execute(req, h);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (Exception e) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, req.workload() + "/" + req.variant() + ": " + e.getMessage());
                    }
                    calls.addAndGet(Math.max(1, h.getTotalCount() - before));
                }
            }, "bench-client-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Histogram> merged = new TreeMap<>();
        for (Map<String, Histogram> byVariant : histograms) {
            byVariant.forEach((v, h) -> merged.computeIfAbsent(v, x -> new Histogram(MAX_MICROS, 3)).add(h));
        }
        Histogram all = new Histogram(MAX_MICROS, 3);
        Map<String, Stats> variants = new TreeMap<>();
        merged.forEach((v, h) -> {
            all.add(h);
            variants.put(v, Stats.of(h, 0, seconds, null, Map.of()));
        });
        return Stats.of(all, errors.get(), seconds, firstError.get(), variants);
    }
}
