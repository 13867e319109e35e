package io.novacron.metrics.series;

/**
 * One rollup row's identity: up to two key columns ({@code b} is 0 for single-key scopes) and the
 * bucket start in epoch microseconds. Ordered like the tables' primary keys, so rows are always
 * written in key order.
 */
public record BucketKey(long a, long b, long bucketMicros) implements Comparable<BucketKey> {
    @Override
    public int compareTo(BucketKey o) {
        int c = Long.compare(a, o.a);
        if (c == 0) {
            c = Long.compare(b, o.b);
        }
        return c != 0 ? c : Long.compare(bucketMicros, o.bucketMicros);
    }

    /** {@code date_bin(step, ts, 'epoch')} in microseconds. */
    public static long bin(long epochMicros, long stepMicros) {
        return Math.floorDiv(epochMicros, stepMicros) * stepMicros;
    }

    /** Epoch microseconds as a JDBC timestamptz parameter. */
    public static java.time.OffsetDateTime timestamp(long epochMicros) {
        return java.time.Instant.EPOCH.plusNanos(epochMicros * 1000).atOffset(java.time.ZoneOffset.UTC);
    }
}
