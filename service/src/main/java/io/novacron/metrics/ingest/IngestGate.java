package io.novacron.metrics.ingest;

import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the batches in flight (NOVACRON_INGEST_CONCURRENCY). A permit is taken before the body
 * is read, so memory is bounded too: at most that many parsed batches exist at once. A request
 * that finds no permit within {@link #WAIT} gets 429 with Retry-After; nothing queues beyond the
 * server's request threads, and each waits at most {@link #WAIT}. On 2 cores, two batches keep
 * both PostgreSQL and the parser busy; more only contend on the same CPUs and WAL.
 */
public final class IngestGate {
    /** Long enough to smooth the hand-over between back-to-back batches of a loader, short enough to push back. */
    static final Duration WAIT = Duration.ofMillis(250);

    private final Semaphore permits;
    private final int size;

    public IngestGate(int concurrency) {
        this.permits = new Semaphore(concurrency, true);
        this.size = concurrency;
    }

    /** Takes a permit or throws 429 too_many_requests; release with {@link #release()}. */
    public void enter() {
        try {
            if (!permits.tryAcquire(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy();
        }
    }

    public void release() {
        permits.release();
    }

    /** For tests and health: permits currently free. */
    public int available() {
        return permits.availablePermits();
    }

    public int size() {
        return size;
    }

    private ApiException busy() {
        return new ApiException(ErrorCode.TOO_MANY_REQUESTS,
                "too many ingest batches in flight (" + size + "); retry after the Retry-After delay",
                Map.of("max_concurrent_batches", size));
    }
}
