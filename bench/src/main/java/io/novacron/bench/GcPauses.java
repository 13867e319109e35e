package io.novacron.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Collections and their time in this JVM between two points: with the service started in the
 * bench's process, the service's GC during a measured run. A young collection stops every request
 * in flight, so its count and length are the first suspects of a read's tail.
 */
public record GcPauses(long collections, long millis) {
    public static GcPauses now() {
        long n = 0, ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new GcPauses(n, ms);
    }

    public GcPauses since(GcPauses before) {
        return new GcPauses(collections - before.collections, millis - before.millis);
    }

    @Override
    public String toString() {
        return collections + " / " + millis + " ms";
    }
}
