package io.novacron.faults;

import io.novacron.support.Http;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client-side bookkeeping of what the service acknowledged while faults were injected: sample
 * batches (each owns a disjoint time range, so its rows can be counted), VMs created and deleted,
 * renames. An answer that never came (connection lost) leaves its request "uncertain": it may or
 * may not have committed, but all-or-nothing.
 */
final class Load {
    /** A batch of samples: every VM of {@code vms} at each second of [from, from + seconds). */
    record Batch(int seq, Instant from, int seconds, List<Long> vms) {
        int size() {
            return seconds * vms.size();
        }

        Map<String, Object> body() {
            List<Map<String, Object>> samples = new ArrayList<>(size());
            for (int s = 0; s < seconds; s++) {
                String ts = from.plusSeconds(s).toString();
                for (long vm : vms) {
                    samples.add(Map.of("vm_id", vm, "ts", ts, "cpu_usage", (seq * 7 + s) % 100, "memory_usage", 40.0,
                            "disk_read_bps", 1.0, "disk_write_bps", 2.0, "net_rx_bps", 3.0, "net_tx_bps", (double) seq));
                }
            }
            return Map.of("samples", samples);
        }
    }

    final Instant base;
    final int secondsPerBatch;
    final List<Long> vms;
    final AtomicInteger nextBatch = new AtomicInteger();
    final ConcurrentLinkedQueue<Batch> acked = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Batch> uncertain = new ConcurrentLinkedQueue<>();
    /** VM id → last acknowledged name; a VM whose last rename is uncertain is in {@link #renameUncertain}. */
    final Map<Long, String> names = new ConcurrentHashMap<>();
    final Set<Long> renameUncertain = ConcurrentHashMap.newKeySet();
    final Set<Long> created = ConcurrentHashMap.newKeySet();
    final Set<Long> deleted = ConcurrentHashMap.newKeySet();
    final AtomicInteger createUncertain = new AtomicInteger();
    final AtomicInteger deleteUncertain = new AtomicInteger();
    final AtomicLong requests = new AtomicLong();
    /** 503 answers without the Retry-After header API.md requires. */
    final AtomicInteger unavailableWithoutRetryAfter = new AtomicInteger();

    Load(Instant base, int secondsPerBatch, List<Long> vms) {
        this.base = base;
        this.secondsPerBatch = secondsPerBatch;
        this.vms = vms;
    }

    Batch newBatch() {
        int seq = nextBatch.getAndIncrement();
        return new Batch(seq, base.plusSeconds((long) seq * secondsPerBatch), secondsPerBatch, vms);
    }

    /** Sends one batch; records it as acknowledged (202) or uncertain (no answer). Returns the status, 0 if none. */
    int ingest(Http http) {
        Batch b = newBatch();
        requests.incrementAndGet();
        try {
            Http.Response r = http.post("/api/v1/metrics/vms", b.body());
            checkRetryAfter(r);
            if (r.status() == 202) {
                acked.add(b);
            } else if (r.status() >= 500) {
                uncertain.add(b); // a 503 means not committed, but a 5xx is never counted as acknowledged
            }
            return r.status();
        } catch (RuntimeException lost) {
            uncertain.add(b);
            return 0;
        }
    }

    long ackedSamples() {
        return acked.stream().mapToLong(Batch::size).sum();
    }

    /** Renames a VM; the name is acknowledged on 200, uncertain on no answer. */
    int rename(Http http, long vm, String name) {
        requests.incrementAndGet();
        try {
            Http.Response r = http.patch("/api/v1/vms/" + vm, Map.of("name", name));
            checkRetryAfter(r);
            if (r.status() == 200) {
                names.put(vm, name);
                renameUncertain.remove(vm);
            } else if (r.status() >= 500 || r.status() == 0) {
                renameUncertain.add(vm);
            }
            return r.status();
        } catch (RuntimeException lost) {
            renameUncertain.add(vm);
            return 0;
        }
    }

    private void checkRetryAfter(Http.Response r) {
        if (r.status() == 503 && r.header("Retry-After") == null) {
            unavailableWithoutRetryAfter.incrementAndGet();
        }
    }
}
