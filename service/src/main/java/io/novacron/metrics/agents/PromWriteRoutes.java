package io.novacron.metrics.agents;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.config.ServiceConfig;
import io.novacron.metrics.ingest.IngestGate;
import io.novacron.metrics.ingest.IngestLimits;
import io.novacron.metrics.ingest.IngestTimings.Phase;
import io.novacron.metrics.ingest.MetricIngest;
import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/prom/write}: Prometheus remote-write 1.0. Authenticated like every
 * {@code /api/v1/*} route (Prometheus's {@code authorization} block sends the bearer token).
 *
 * <p>Status codes follow what Prometheus does with them: 200 once stored (or when nothing in the
 * request maps: counted and skipped); 4xx drops the request (malformed body, a value the ingest
 * path refuses, node series sent with an org token); 429 and 503 carry {@code Retry-After} and
 * are retried, and a retry is harmless because each (series, ts, metric) is stored once.
 */
public final class PromWriteRoutes {
    private final MetricIngest ingest;
    private final IngestGate gate;
    private final RemoteWriteReader reader;
    private final long maxBodyBytes;
    private final Counter storedSeries, unmappedSeries, unlabeledSeries, staleMarkers, nanValues;

    public PromWriteRoutes(MetricIngest ingest, IngestGate gate, ServiceConfig.Agents agents, ServiceConfig.Ingest limits,
                           long maxBodyBytes, MeterRegistry registry) {
        this.ingest = ingest;
        this.gate = gate;
        this.reader = new RemoteWriteReader(new PromMapping(agents), limits.maxSamplesPerBatch(), maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        String series = "novacron_prom_write_series";
        storedSeries = Counter.builder(series).tag("result", "mapped").description("remote-write series received").register(registry);
        unmappedSeries = Counter.builder(series).tag("result", "unmapped").register(registry);
        unlabeledSeries = Counter.builder(series).tag("result", "unlabeled").register(registry);
        String skipped = "novacron_prom_write_skipped_samples";
        staleMarkers = Counter.builder(skipped).tag("reason", "stale_marker").description("remote-write samples not stored").register(registry);
        nanValues = Counter.builder(skipped).tag("reason", "nan").register(registry);
    }

    public void register(Javalin app) {
        app.post("/api/v1/prom/write", this::write);
    }

    private void write(Context ctx) throws IOException {
        Principal caller = Principal.of(ctx).requireWriter();
        Params.of(ctx, Set.of());
        String encoding = ctx.header("Content-Encoding");
        if (encoding == null || !encoding.trim().equalsIgnoreCase("snappy")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "remote-write bodies are snappy block-compressed: send Content-Encoding: snappy", Map.of("field", "Content-Encoding"));
        }
        String type = ctx.header("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).contains("io.prometheus.write.v2")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "remote-write 2.0 is not supported; configure protobuf_message: prometheus.WriteRequest (1.0)",
                    Map.of("field", "Content-Type"));
        }
        if (ctx.req().getContentLengthLong() > maxBodyBytes) {
            throw IngestLimits.tooManyBytes(maxBodyBytes);
        }
        gate.enter();
        try (InputStream in = IngestLimits.capped(ctx.bodyInputStream(), maxBodyBytes)) {
            long t = System.nanoTime();
            RemoteWriteReader.Result r = reader.read(in.readAllBytes());
            ingest.timings().record(Phase.PARSE, t);
            RemoteWriteReader.Counts n = r.counts();
            MetricIngest.Result stored = r.vms().size() + r.nodes().size() == 0 ? new MetricIngest.Result(0, 0)
                    : ingest.ingest(caller, r.vms(), r.nodes());
            storedSeries.increment(n.series() - n.unmappedSeries() - n.unlabeledSeries());
            unmappedSeries.increment(n.unmappedSeries());
            unlabeledSeries.increment(n.unlabeledSeries());
            staleMarkers.increment(n.staleMarkers());
            nanValues.increment(n.nanValues());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("accepted", stored.accepted());
            body.put("duplicates", stored.duplicates() + n.repeats());
            body.put("series", n.series());
            body.put("unmapped_series", n.unmappedSeries());
            body.put("unlabeled_series", n.unlabeledSeries());
            body.put("stale_markers", n.staleMarkers());
            body.put("nan_values", n.nanValues());
            ctx.status(200).json(body);
        } finally {
            gate.release();
        }
    }
}
