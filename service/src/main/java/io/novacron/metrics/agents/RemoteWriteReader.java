package io.novacron.metrics.agents;

import com.google.protobuf.InvalidProtocolBufferException;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.novacron.metrics.agents.proto.RemoteWrite;
import io.novacron.metrics.ingest.IngestLimits;
import io.novacron.metrics.ingest.SampleBatch;
import io.novacron.metrics.series.MetricKind;
import io.novacron.web.ApiException;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns one remote-write body (snappy block compression around a protobuf {@code WriteRequest})
 * into VM and node samples.
 *
 * <p>Prometheus sends each metric as its own series, so the float samples of the series that map
 * to one node or VM are grouped by (target, timestamp) into one sample that carries the metrics
 * present; a metric absent from the request is absent from the sample (never zero), and another
 * request may fill it in later for the same timestamp. What cannot be stored is counted and
 * skipped, never refused, since a refused request is either dropped whole (4xx) or retried
 * forever (5xx) by Prometheus: series whose name is not mapped, mapped series without a usable id
 * label, stale markers and other NaN values. A metric that two series give for the same target
 * and timestamp (an id label aggregated wrongly) keeps the first value; the rest are repeats.
 *
 * <p>Error indexes ({@code details.indexes}) are positions of time series in the request.
 */
final class RemoteWriteReader {
    /** Prometheus's staleness marker: a NaN with this exact bit pattern ends a series. */
    static final long STALE_NAN_BITS = 0x7ff0000000000002L;

    /** What one request held beside the samples. */
    record Counts(int series, int unmappedSeries, int unlabeledSeries, int staleMarkers, int nanValues, int repeats) {
    }

    record Result(SampleBatch vms, SampleBatch nodes, Counts counts) {
    }

    private record Key(MetricKind kind, long id, long tsMillis) {
    }

    private static final class Group {
        final int index;
        final double[] values = new double[MetricKind.METRICS];
        int fields;

        Group(int index) {
            this.index = index;
        }
    }

    private final PromMapping mapping;
    private final int maxSamples;
    private final long maxBytes;

    RemoteWriteReader(PromMapping mapping, int maxSamples, long maxBytes) {
        this.mapping = mapping;
        this.maxSamples = maxSamples;
        this.maxBytes = maxBytes;
    }

    /** Snappy block decompression; the declared length is checked against the body limit first. */
    byte[] decompress(byte[] compressed) {
        int length;
        try {
            length = SnappyDecompressor.getUncompressedLength(compressed, 0);
        } catch (RuntimeException e) {
            throw ApiException.invalid("body", "the body is not snappy block-compressed (Content-Encoding: snappy)");
        }
        if (length < 0 || length > maxBytes) {
            throw IngestLimits.tooManyBytes(maxBytes);
        }
        byte[] out = new byte[length];
        try {
            int n = new SnappyDecompressor().decompress(compressed, 0, compressed.length, out, 0, length);
            if (n != length) {
                throw ApiException.invalid("body", "the snappy body is truncated");
            }
        } catch (RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw ApiException.invalid("body", "the body is not valid snappy block compression");
        }
        return out;
    }

    Result read(byte[] compressed) {
        RemoteWrite.WriteRequest request;
        try {
            request = RemoteWrite.WriteRequest.parseFrom(decompress(compressed));
        } catch (InvalidProtocolBufferException e) {
            throw ApiException.invalid("body", "the body is not a remote-write WriteRequest (protobuf)");
        }
        Map<Key, Group> groups = new HashMap<>();
        int unmapped = 0, unlabeled = 0, stale = 0, nan = 0, repeats = 0;
        int index = 0;
        for (RemoteWrite.TimeSeries ts : request.getTimeseriesList()) {
            int i = index++;
            PromMapping.Target target = null;
            String idValue = null;
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().equals("__name__")) {
                    target = mapping.target(l.getValue());
                    break;
                }
            }
            if (target == null) {
                unmapped++;
                continue;
            }
            for (RemoteWrite.Label l : ts.getLabelsList()) {
                if (l.getName().equals(target.idLabel())) {
                    idValue = l.getValue();
                    break;
                }
            }
            long id = parseId(idValue);
            if (id < 0) {
                unlabeled++;
                continue;
            }
            for (RemoteWrite.Sample s : ts.getSamplesList()) {
                double v = s.getValue();
                if (Double.isNaN(v)) {
                    if (Double.doubleToRawLongBits(v) == STALE_NAN_BITS) {
                        stale++;
                    } else {
                        nan++;
                    }
                    continue;
                }
                Group g = groups.computeIfAbsent(new Key(target.kind(), id, s.getTimestamp()), k -> new Group(i));
                int bit = 1 << target.metric();
                if ((g.fields & bit) != 0) {
                    repeats++;
                    continue;
                }
                g.fields |= bit;
                g.values[target.metric()] = v;
            }
        }
        if (groups.size() > maxSamples) {
            throw IngestLimits.tooManySamples(maxSamples);
        }
        SampleBatch vms = new SampleBatch(MetricKind.VM, groups.size());
        SampleBatch nodes = new SampleBatch(MetricKind.NODE, groups.size());
        for (Map.Entry<Key, Group> e : groups.entrySet()) {
            Key k = e.getKey();
            Group g = e.getValue();
            long micros;
            try {
                micros = Math.multiplyExact(k.tsMillis(), 1000L);
            } catch (ArithmeticException overflow) {
                throw ApiException.invalid("timestamp", "a sample timestamp is out of range", Map.of("index", g.index));
            }
            (k.kind() == MetricKind.VM ? vms : nodes).add(g.index, k.id(), micros, g.values, g.fields);
        }
        return new Result(vms, nodes, new Counts(index, unmapped, unlabeled, stale, nan, repeats));
    }

    /** A non-negative decimal id, or -1. */
    private static long parseId(String s) {
        if (s == null || s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
