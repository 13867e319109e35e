package io.novacron.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Loads a dataset's samples through the service's HTTP ingestion path
 * ({@code POST /api/v1/metrics/vms} and {@code /nodes}), in delivery order, with a bounded number
 * of batches in flight. VMs report through collectors of about {@value #VMS_PER_COLLECTOR} VMs
 * each (metric relays, each serving a contiguous slice of the fleet in id order, which is
 * organization order: a relay per group of tenants) that forward a batch whenever they hold
 * {@code batchSize} samples: with the default 10,000 that is every 10 minutes of their VMs'
 * samples. Batches in flight at the same time then cover different VMs, as in a real fleet; each
 * batch touches its series' raw index pages and latest-value rows once per ten samples, and
 * few organizations' rollup partials. (With one collector per quarter of the fleet, hashed, a
 * batch held two minutes of 5,000 VMs of every organization: measured on medium, 27-30 k
 * samples/s instead of the figure in the report.) JSON is written by hand (the shape is fixed and this runs millions of
 * times); timestamps go as epoch milliseconds, which API.md accepts. The elapsed time of the
 * whole load, acknowledged batches only, is the ingest benchmark's figure.
 */
public final class MetricLoader {

    /** The outcome of a load: samples sent (with re-sent copies), acknowledged, duplicates, time. */
    public record Result(long sent, long accepted, long duplicates, long batches, long retries, double seconds) {
        @JsonProperty("samples_per_second")
        public double samplesPerSecond() {
            return sent / Math.max(1e-9, seconds);
        }
    }

    /** VMs served by one collector. */
    static final int VMS_PER_COLLECTOR = 1_000;

    private final IngestClient client;
    private final int batchSize;
    private final int inFlight;

    public MetricLoader(IngestClient client, int batchSize, int inFlight) {
        if (batchSize < 1 || batchSize > 50_000) {
            throw new IllegalArgumentException("batch size must be 1..50000 (API.md), got " + batchSize);
        }
        this.client = client;
        this.batchSize = batchSize;
        this.inFlight = inFlight;
    }

    /** The collector a VM reports through: its slice of the reporting VMs in id order. */
    private static int collector(FleetGenerator fleet, int collectors, long vmId) {
        Dataset d = fleet.dataset();
        long k = (vmId - fleet.base().vm() - 1) / d.metricStride();
        return (int) (k * collectors / d.metricVms());
    }

    public Result load(FleetGenerator fleet, Progress progress) throws IOException, InterruptedException {
        Dataset d = fleet.dataset();
        int collectors = Math.max(2 * inFlight, -Math.floorDiv(-d.metricVms(), VMS_PER_COLLECTOR));
        SampleGenerator values = new SampleGenerator(fleet.seed(), fleet.anchor().toEpochMilli(), d.steps(), d.stepSeconds());
        ExecutorService pool = Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "bench-ingest");
            t.setDaemon(true);
            return t;
        });
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong(), duplicates = new AtomicLong(), batches = new AtomicLong();
        List<Future<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        long[] sent = {0};
        AtomicReference<Exception> failure = new AtomicReference<>();
        Batch.Sender send = batch -> {
            int n = batch.count;
            slots.acquire();
            if (failure.get() != null) {
                slots.release();
                throw new Batch.SendFailed(failure.get()); // stop generating once a batch has failed for good
            }
            sent[0] += n;
            pending.removeIf(Future::isDone);
            pending.add(pool.submit(() -> {
                try {
                    // Values and JSON are made here, on the sending threads, so generation runs in parallel.
                    IngestClient.Ack ack = client.post(batch.path(), batch.json(values));
                    accepted.addAndGet(ack.accepted());
                    duplicates.addAndGet(ack.duplicates());
                    batches.incrementAndGet();
                    progress.add(n);
                    return null;
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    throw e;
                } finally {
                    slots.release();
                }
            }));
        };
        try {
            var collector = new SampleStream.Sink() {
                final Batch[] vms = new Batch[collectors];
                Batch nodes = new Batch(true, batchSize);

                @Override
                public void vm(long vmId, int step) {
                    int g = collector(fleet, collectors, vmId);
                    vms[g] = (vms[g] == null ? new Batch(false, batchSize) : vms[g]).add(vmId, step, send);
                }

                @Override
                public void node(long nodeId, int step) {
                    nodes = nodes.add(nodeId, step, send);
                }
            };
            new SampleStream(fleet).deliver(collector);
            for (Batch b : collector.vms) {
                if (b != null) {
                    b.flush(send);
                }
            }
            collector.nodes.flush(send);
            for (Future<?> f : pending) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (Batch.SendFailed e) {
            if (e.getCause() instanceof InterruptedException ie) {
                throw ie;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        progress.finish();
        return new Result(sent[0], accepted.get(), duplicates.get(), batches.get(), client.retries(),
                (System.nanoTime() - start) / 1e9);
    }

    /** The coordinates of one request's samples; the JSON body is written when it is sent. */
    static final class Batch {
        interface Sender {
            void send(Batch full) throws InterruptedException;
        }

        static final class SendFailed extends RuntimeException {
            SendFailed(Exception cause) {
                super(cause);
            }
        }

        private final boolean node;
        private final long[] ids;
        private final int[] steps;
        int count;

        Batch(boolean node, int size) {
            this.node = node;
            this.ids = new long[size];
            this.steps = new int[size];
        }

        String path() {
            return node ? "/api/v1/metrics/nodes" : "/api/v1/metrics/vms";
        }

        /** Adds a sample; when the batch is full, sends it and returns a fresh one. */
        Batch add(long id, int step, Sender sender) {
            ids[count] = id;
            steps[count++] = step;
            if (count < ids.length) {
                return this;
            }
            flush(sender);
            return new Batch(node, ids.length);
        }

        void flush(Sender sender) {
            if (count == 0) {
                return;
            }
            try {
                sender.send(this);
            } catch (InterruptedException e) {
                throw new SendFailed(e);
            }
        }

        byte[] json(SampleGenerator values) {
            StringBuilder sb = new StringBuilder(count * 200 + 16).append("{\"samples\":[");
            for (int i = 0; i < count; i++) {
                sb.append(i == 0 ? "" : ",");
                if (node) {
                    SampleGenerator.NodeSample s = values.node(ids[i], steps[i]);
                    sb.append("{\"node_id\":").append(s.nodeId()).append(",\"ts\":").append(s.tsMillis())
                            .append(",\"cpu_usage\":").append(s.cpuUsage()).append(",\"memory_usage\":").append(s.memoryUsage())
                            .append(",\"disk_usage\":").append(s.diskUsage()).append(",\"load_1m\":").append(s.load1m())
                            .append(",\"net_rx_bps\":").append(s.netRxBps()).append(",\"net_tx_bps\":").append(s.netTxBps()).append('}');
                } else {
                    SampleGenerator.VmSample s = values.vm(ids[i], steps[i]);
                    sb.append("{\"vm_id\":").append(s.vmId()).append(",\"ts\":").append(s.tsMillis())
                            .append(",\"cpu_usage\":").append(s.cpuUsage()).append(",\"memory_usage\":").append(s.memoryUsage())
                            .append(",\"disk_read_bps\":").append(s.diskReadBps()).append(",\"disk_write_bps\":").append(s.diskWriteBps())
                            .append(",\"net_rx_bps\":").append(s.netRxBps()).append(",\"net_tx_bps\":").append(s.netTxBps()).append('}');
                }
            }
            return sb.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
        }
    }
}
