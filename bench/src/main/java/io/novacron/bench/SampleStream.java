package io.novacron.bench;

import java.util.PriorityQueue;

/**
 * The order in which agents deliver a dataset's samples: step by step (every series reports each
 * interval), with 0.5% of samples held back and delivered up to one hour late and 0.1% delivered
 * a second time a few intervals later (a retry after a lost acknowledgement). Delivery decisions
 * are hashed from (series, step), so the stream is deterministic. Only coordinates travel; the
 * values come from {@link SampleGenerator} when a batch is written. Memory: the late samples in
 * flight, about 0.5% × one hour of samples.
 */
public final class SampleStream {
    static final double LATE = 0.005, DUPLICATE = 0.001;

    /** Receives sample coordinates in delivery order. */
    public interface Sink {
        void vm(long vmId, int step);

        void node(long nodeId, int step);
    }

    private record Held(int due, boolean node, long id, int step) {
    }

    private final FleetGenerator fleet;

    public SampleStream(FleetGenerator fleet) {
        this.fleet = fleet;
    }

    public void deliver(Sink sink) {
        Dataset d = fleet.dataset();
        int maxDelaySteps = Math.max(1, 3600 / d.stepSeconds());
        long seed = fleet.seed();
        PriorityQueue<Held> held = new PriorityQueue<>((a, b) -> Integer.compare(a.due, b.due));
        for (int step = 0; step < d.steps(); step++) {
            for (int k = 0; k < d.metricVms(); k++) {
                long id = fleet.metricVmId(k);
                if (route(seed, false, id, step, maxDelaySteps, held)) {
                    sink.vm(id, step);
                }
            }
            for (int n = 0; n < d.nodes(); n++) {
                long id = fleet.nodeId(n);
                if (route(seed, true, id, step, maxDelaySteps, held)) {
                    sink.node(id, step);
                }
            }
            while (!held.isEmpty() && held.peek().due <= step) {
                emit(held.poll(), sink);
            }
        }
        while (!held.isEmpty()) {
            emit(held.poll(), sink);
        }
    }

    /** True when the sample is delivered now; late ones and second copies are queued. */
    private static boolean route(long seed, boolean node, long id, int step, int maxDelaySteps, PriorityQueue<Held> held) {
        long h = Streams.mix(seed, Streams.DELIVERY, node ? 1 : 0, id, step);
        double u = (h >>> 11) * 0x1.0p-53;
        int delay = 1 + (int) Long.remainderUnsigned(h, maxDelaySteps);
        if (u < LATE) {
            held.add(new Held(step + delay, node, id, step));
            return false;
        }
        if (u < LATE + DUPLICATE) {
            held.add(new Held(step + 1 + delay % 10, node, id, step));
        }
        return true;
    }

    private static void emit(Held h, Sink sink) {
        if (h.node) {
            sink.node(h.id, h.step);
        } else {
            sink.vm(h.id, h.step);
        }
    }
}
