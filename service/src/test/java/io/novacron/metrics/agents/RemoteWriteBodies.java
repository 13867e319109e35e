package io.novacron.metrics.agents;

import io.airlift.compress.snappy.SnappyCompressor;
import io.novacron.metrics.agents.proto.RemoteWrite;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Builds remote-write bodies the way Prometheus does: protobuf WriteRequest, snappy block compression. */
final class RemoteWriteBodies {
    static final Map<String, String> HEADERS = Map.of("Content-Encoding", "snappy", "Content-Type", "application/x-protobuf",
            "X-Prometheus-Remote-Write-Version", "0.1.0");

    private RemoteWriteBodies() {
    }

    /** One series with one sample; labels sorted by name, as Prometheus sends them. */
    static RemoteWrite.TimeSeries series(String name, Map<String, String> labels, long tsMillis, double value) {
        TreeMap<String, String> all = new TreeMap<>(labels);
        all.put("__name__", name);
        RemoteWrite.TimeSeries.Builder b = RemoteWrite.TimeSeries.newBuilder();
        all.forEach((k, v) -> b.addLabels(RemoteWrite.Label.newBuilder().setName(k).setValue(v)));
        return b.addSamples(RemoteWrite.Sample.newBuilder().setValue(value).setTimestamp(tsMillis)).build();
    }

    static byte[] body(RemoteWrite.TimeSeries... series) {
        RemoteWrite.WriteRequest.Builder r = RemoteWrite.WriteRequest.newBuilder();
        for (RemoteWrite.TimeSeries s : series) {
            r.addTimeseries(s);
        }
        return snappy(r.build().toByteArray());
    }

    static byte[] snappy(byte[] raw) {
        SnappyCompressor c = new SnappyCompressor();
        byte[] out = new byte[c.maxCompressedLength(raw.length)];
        int n = c.compress(raw, 0, raw.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }
}
