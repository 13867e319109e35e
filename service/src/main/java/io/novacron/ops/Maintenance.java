package io.novacron.ops;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Periodic housekeeping inside the service (partitions ahead, retention drops, compaction,
 * vacuum of the hot tables). Each task runs once at start and then at its interval, never
 * overlapping itself; tasks run on a few background threads, so that a long compaction catch-up
 * does not hold back the vacuum of the latest-value tables. A failing run is logged and retried
 * at the next interval (the database may simply be away). A task that loops (compaction catching
 * up) checks its thread's interrupt between steps: {@link #close} interrupts to stop it.
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

    private static final int THREADS = 4;
    private final java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "novacron-maintenance-" + threads.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    public void every(String name, Duration interval, Runnable task) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("maintenance task {} failed: {}", name, e.getMessage());
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops scheduling, interrupts running tasks (a loop ends after its current step; a statement
     * in flight completes) and waits for them, so no task is cut off by the closing of the pool it
     * uses: that rolled back a compaction round mid-COPY and logged a broken connection.
     */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("maintenance tasks still running after 30 s; closing anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
