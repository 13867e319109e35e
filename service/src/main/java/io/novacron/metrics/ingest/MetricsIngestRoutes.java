package io.novacron.metrics.ingest;

import io.novacron.metrics.series.MetricKind;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.config.ServiceConfig;
import io.novacron.metrics.ingest.IngestTimings.Phase;
import io.novacron.web.ApiException;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.Set;

/**
 * HTTP ingestion: {@code POST /api/v1/metrics/vms} and {@code /nodes} (JSON) and
 * {@code /write} (InfluxDB line protocol). Each handler takes an {@link IngestGate} permit,
 * parses the body as a stream and hands the batch to {@link MetricIngest}; 202 after commit.
 */
public final class MetricsIngestRoutes {
    private final MetricIngest ingest;
    private final IngestGate gate;
    private final ServiceConfig.Ingest limits;
    private final long maxBodyBytes;
    private final Clock clock;

    public MetricsIngestRoutes(MetricIngest ingest, IngestGate gate, ServiceConfig.Ingest limits, long maxBodyBytes, Clock clock) {
        this.ingest = ingest;
        this.gate = gate;
        this.limits = limits;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.post("/api/v1/metrics/vms", ctx -> json(ctx, MetricKind.VM));
        app.post("/api/v1/metrics/nodes", ctx -> json(ctx, MetricKind.NODE));
        app.post("/api/v1/metrics/write", this::lineProtocol);
    }

    private void json(Context ctx, MetricKind kind) throws IOException {
        Principal caller = Principal.of(ctx).requireWriter();
        Params.of(ctx, Set.of());
        if (kind == MetricKind.NODE) {
            caller.requireAdmin();
        }
        checkDeclaredLength(ctx);
        gate.enter();
        try (InputStream in = IngestLimits.capped(ctx.bodyInputStream(), maxBodyBytes)) {
            long t = System.nanoTime();
            SampleErrors errors = new SampleErrors();
            SampleBatch batch = new JsonSampleReader(kind, limits.maxSamplesPerBatch()).read(in, errors);
            ingest.timings().record(Phase.PARSE, t);
            SampleBatch empty = new SampleBatch(kind == MetricKind.VM ? MetricKind.NODE : MetricKind.VM, 0);
            MetricIngest.Result r = kind == MetricKind.VM ? ingest.ingest(caller, batch, empty, errors)
                    : ingest.ingest(caller, empty, batch, errors);
            accepted(ctx, r);
        } finally {
            gate.release();
        }
    }

    private void lineProtocol(Context ctx) throws IOException {
        Principal caller = Principal.of(ctx).requireWriter();
        Params params = Params.of(ctx, Set.of("precision"));
        LineProtocolReader.Precision precision = precision(params.optString("precision"));
        checkDeclaredLength(ctx);
        gate.enter();
        try (InputStream in = IngestLimits.capped(ctx.bodyInputStream(), maxBodyBytes)) {
            long t = System.nanoTime();
            byte[] body = in.readAllBytes();
            SampleErrors errors = new SampleErrors();
            SampleBatch vms = new SampleBatch(MetricKind.VM, 1024);
            SampleBatch nodes = new SampleBatch(MetricKind.NODE, 16);
            new LineProtocolReader(limits.maxSamplesPerBatch(), precision, clock.millis() * 1000)
                    .read(body, body.length, vms, nodes, errors);
            ingest.timings().record(Phase.PARSE, t);
            accepted(ctx, ingest.ingest(caller, vms, nodes, errors));
        } finally {
            gate.release();
        }
    }

    private static LineProtocolReader.Precision precision(String p) {
        if (p == null) {
            return LineProtocolReader.Precision.NS;
        }
        return switch (p) {
            case "ns" -> LineProtocolReader.Precision.NS;
            case "us" -> LineProtocolReader.Precision.US;
            case "ms" -> LineProtocolReader.Precision.MS;
            case "s" -> LineProtocolReader.Precision.S;
            default -> throw ApiException.invalid("precision", "precision must be one of ns, us, ms, s");
        };
    }

    private void checkDeclaredLength(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw IngestLimits.tooManyBytes(maxBodyBytes);
        }
    }

    private static void accepted(Context ctx, MetricIngest.Result r) {
        ctx.status(202).json(Map.of("accepted", r.accepted(), "duplicates", r.duplicates()));
    }
}
