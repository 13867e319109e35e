/**
 * What ingestion, compaction and queries of the metric store all speak: the metric kinds of each
 * series, bucket keys, the mergeable {@code Aggregate} (count, sums, mins, maxs, p95 sketches)
 * and its encodings. Depends on nothing of the other metrics packages.
 */
package io.novacron.metrics.series;
