package io.novacron.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MaintenanceTest {

    /** The pool a task uses is closed right after close(): no task may still be running then. */
    @Test
    void closeStopsALoopingTaskAndWaitsForItToEnd() throws Exception {
        Maintenance maintenance = new Maintenance();
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean ended = new AtomicBoolean();
        maintenance.every("catch-up", Duration.ofSeconds(2), () -> {
            running.countDown();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait(); // a compaction catching up: one round after another
                }
                long roundEnds = System.nanoTime() + 300_000_000L; // its round in flight ends first
                while (System.nanoTime() < roundEnds) {
                    Thread.onSpinWait();
                }
            } finally {
                ended.set(true);
            }
        });
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        maintenance.close();
        assertThat(ended).isTrue();
    }

    @Test
    void aFailingRunIsRetriedAtTheNextInterval() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch twice = new CountDownLatch(2);
        try (Maintenance maintenance = new Maintenance()) {
            maintenance.every("flaky", Duration.ofMillis(10), () -> {
                runs.incrementAndGet();
                twice.countDown();
                throw new IllegalStateException("database away");
            });
            assertThat(twice.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(runs.get()).isGreaterThanOrEqualTo(2);
    }
}
