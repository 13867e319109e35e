package io.novacron.metrics.agents;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.metrics.ingest.IngestGate;
import io.novacron.metrics.ingest.IngestLimits;
import io.novacron.metrics.ingest.IngestTimings.Phase;
import io.novacron.metrics.ingest.LineProtocolReader;
import io.novacron.metrics.ingest.LineProtocolReader.Precision;
import io.novacron.metrics.ingest.MetricIngest;
import io.novacron.metrics.ingest.SampleBatch;
import io.novacron.metrics.ingest.SampleErrors;
import io.novacron.metrics.series.MetricKind;
import io.novacron.web.ApiException;
import io.novacron.web.Auth;
import io.novacron.web.ErrorCode;
import io.novacron.web.Params;
import io.novacron.web.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The InfluxDB write API as its clients (Telegraf, the v1 and v2 client libraries) call it:
 * {@code POST /write} (1.x), {@code POST /api/v2/write} (2.x) and the {@code POST /query} that
 * 1.x clients send first ({@code CREATE DATABASE}: answered, changes nothing). The body is the
 * line protocol of {@code /api/v1/metrics/write}, optionally gzip-compressed, stored through the
 * same {@link MetricIngest}; success is {@code 204} as InfluxDB answers.
 *
 * <p>InfluxDB's databases, buckets, retention policies and organizations have no counterpart
 * here: the token alone decides who writes (an org token its VMs, the admin token nodes too), so
 * {@code db}, {@code bucket} and {@code org} are required, as the clients always send them, but
 * not interpreted. Tokens arrive where each client puts them: 1.x as the password ({@code p=} or
 * HTTP Basic) or {@code Authorization: Token}; 2.x as {@code Authorization: Token}.
 */
public final class InfluxRoutes {
    private static final Pattern CREATE_DATABASE = Pattern.compile("(?is)\\s*CREATE\\s+DATABASE\\s+\\S.*");

    private final Auth auth;
    private final MetricIngest ingest;
    private final IngestGate gate;
    private final int maxSamples;
    private final long maxBodyBytes;
    private final Clock clock;

    public InfluxRoutes(Auth auth, MetricIngest ingest, IngestGate gate, int maxSamples, long maxBodyBytes, Clock clock) {
        this.auth = auth;
        this.ingest = ingest;
        this.gate = gate;
        this.maxSamples = maxSamples;
        this.maxBodyBytes = maxBodyBytes;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.post("/write", this::writeV1);
        app.post("/api/v2/write", this::writeV2);
        app.post("/query", this::query);
    }

    private void writeV1(Context ctx) throws IOException {
        Params params = Params.of(ctx, Set.of("db", "rp", "precision", "u", "p", "consistency"));
        Principal caller = auth.authenticate(ctx, v1Token(ctx, params)).requireWriter();
        required(params, "db");
        Precision precision = switch (orDefault(params.optString("precision"), "n")) {
            case "n", "ns" -> Precision.NS;
            case "u", "us", "µ" -> Precision.US;
            case "ms" -> Precision.MS;
            case "s" -> Precision.S;
            case "m" -> Precision.M;
            case "h" -> Precision.H;
            default -> throw ApiException.invalid("precision", "precision must be one of n, u, ms, s, m, h");
        };
        write(ctx, caller, precision);
    }

    private void writeV2(Context ctx) throws IOException {
        Params params = Params.of(ctx, Set.of("org", "orgID", "bucket", "precision"));
        Principal caller = auth.authenticate(ctx, headerToken(ctx, false)).requireWriter();
        required(params, "bucket");
        if (params.optString("org") == null && params.optString("orgID") == null) {
            throw ApiException.invalid("org", "'org' (or 'orgID') is required");
        }
        Precision precision = switch (orDefault(params.optString("precision"), "ns")) {
            case "ns" -> Precision.NS;
            case "us" -> Precision.US;
            case "ms" -> Precision.MS;
            case "s" -> Precision.S;
            default -> throw ApiException.invalid("precision", "precision must be one of ns, us, ms, s");
        };
        write(ctx, caller, precision);
    }

    private void query(Context ctx) {
        Params params = Params.of(ctx, Set.of("q", "db", "rp", "u", "p", "epoch", "pretty", "chunked", "chunk_size", "params"));
        auth.authenticate(ctx, v1Token(ctx, params));
        String q = params.optString("q");
        if (q == null) {
            q = formQuery(ctx);
        }
        if (q == null || q.isBlank()) {
            throw ApiException.invalid("q", "'q' is required");
        }
        List<Map<String, Object>> results = new ArrayList<>();
        for (String statement : q.split(";")) {
            if (statement.isBlank()) {
                continue;
            }
            if (!CREATE_DATABASE.matcher(statement).matches()) {
                throw ApiException.invalid("q", "only CREATE DATABASE is answered here (it changes nothing); this service is written to, not queried, through the InfluxDB API");
            }
            results.add(Map.of("statement_id", results.size()));
        }
        ctx.status(200).json(Map.of("results", results));
    }

    /** {@code q} from a form body (1.x clients post it so), or null; a form body Jetty cannot parse is a 400. */
    private static String formQuery(Context ctx) {
        String type = ctx.contentType();
        if (type == null) {
            return null;
        }
        String t = type.toLowerCase(java.util.Locale.ROOT);
        if (!t.startsWith("application/x-www-form-urlencoded") && !t.startsWith("multipart/form-data")) {
            return null;
        }
        try {
            return ctx.formParam("q");
        } catch (Exception e) { // Jetty's multipart parser throws IOException through Kotlin, undeclared
            throw ApiException.invalid("q", "the form body could not be read: " + e.getMessage());
        }
    }

    private void write(Context ctx, Principal caller, Precision precision) throws IOException {
        if (ctx.req().getContentLengthLong() > maxBodyBytes) {
            throw IngestLimits.tooManyBytes(maxBodyBytes);
        }
        String encoding = ctx.header("Content-Encoding");
        boolean gzip = encoding != null && encoding.trim().equalsIgnoreCase("gzip");
        if (encoding != null && !gzip && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding must be gzip or identity",
                    Map.of("field", "Content-Encoding"));
        }
        gate.enter();
        try (InputStream in = IngestLimits.capped(ctx.bodyInputStream(), maxBodyBytes)) {
            long t = System.nanoTime();
            byte[] body = gzip ? gunzip(in) : in.readAllBytes();
            SampleErrors errors = new SampleErrors();
            SampleBatch vms = new SampleBatch(MetricKind.VM, 1024);
            SampleBatch nodes = new SampleBatch(MetricKind.NODE, 16);
            new LineProtocolReader(maxSamples, precision, clock.millis() * 1000).read(body, body.length, vms, nodes, errors);
            ingest.timings().record(Phase.PARSE, t);
            ingest.ingest(caller, vms, nodes, errors);
            ctx.status(204);
        } finally {
            gate.release();
        }
    }

    /** The decompressed body, itself held to the body limit (a small gzip can inflate enormously). */
    private byte[] gunzip(InputStream in) throws IOException {
        try (InputStream z = IngestLimits.capped(new GZIPInputStream(in), maxBodyBytes)) {
            return z.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw ApiException.invalid("body", "the body is not valid gzip (Content-Encoding: gzip)");
        }
    }

    /** 1.x: {@code Authorization} (Token, Bearer or Basic with the token as password), else {@code p=}. */
    private static String v1Token(Context ctx, Params params) {
        String header = headerToken(ctx, true);
        return header != null ? header : params.optString("p");
    }

    /** The token of an {@code Authorization: Token|Bearer <token>} header, or with {@code basic} the Basic password. */
    private static String headerToken(Context ctx, boolean basic) {
        String h = ctx.header("Authorization");
        if (h == null) {
            return null;
        }
        h = h.trim();
        int space = h.indexOf(' ');
        String scheme = space < 0 ? h : h.substring(0, space);
        String value = space < 0 ? "" : h.substring(space + 1).trim();
        switch (scheme.toLowerCase(Locale.ROOT)) {
            case "token", "bearer":
                return value;
            case "basic":
                if (!basic) {
                    break;
                }
                try {
                    String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
                    int colon = decoded.indexOf(':');
                    return colon < 0 ? null : decoded.substring(colon + 1);
                } catch (IllegalArgumentException e) {
                    throw ApiException.unauthorized("malformed Basic credentials");
                }
            default:
                break;
        }
        throw ApiException.unauthorized("unsupported Authorization scheme '" + scheme + "': send Authorization: Token <token>");
    }

    private static void required(Params params, String name) {
        String v = params.optString(name);
        if (v == null || v.isBlank()) {
            throw ApiException.invalid(name, "'" + name + "' is required");
        }
    }

    private static String orDefault(String v, String dflt) {
        return v == null || v.isEmpty() ? dflt : v;
    }
}
