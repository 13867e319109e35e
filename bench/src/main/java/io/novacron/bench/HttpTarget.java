package io.novacron.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.HdrHistogram.Histogram;

/**
 * The service over HTTP/1.1 on loopback, end to end: latency is from sending the request to
 * having read the whole body. VM listings follow {@code next_cursor} page after page.
 *
 * <p>The client is the JDK's blocking {@link HttpURLConnection} with keep-alive: each call runs on
 * the calling thread. The JDK's {@code java.net.http.HttpClient} hands every exchange between the
 * caller and its selector thread; on 2 shared cores at concurrency 8 that cost the floor
 * ({@code /healthz}) 4x its p50 (0.91 vs 0.21 ms, same server, alternating rounds), time the
 * service never spent.
 */
public final class HttpTarget implements Target {
    static {
        // Idle keep-alive connections the JDK keeps per host (default 5): one per client thread,
        // else threads beyond the fifth reconnect on every call.
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
        // A POST that met a keep-alive connection the server had closed is otherwise sent again:
        // the freshness trials' writes must happen once each.
        System.setProperty("sun.net.http.retryPost", "false");
    }

    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String baseUrl;
    private final String adminToken;

    public HttpTarget(String baseUrl, String adminToken) {
        this.baseUrl = baseUrl;
        this.adminToken = adminToken;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void execute(Request request, Histogram micros) throws IOException {
        String path = request.path();
        for (int page = 1; page <= request.pages(); page++) {
            long t0 = System.nanoTime();
            byte[] body = get(path, request.token());
            micros.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            if (page == request.pages()) {
                return;
            }
            JsonNode next = Json.MAPPER.readTree(body).path("next_cursor");
            if (next.isNull() || next.isMissingNode()) {
                return; // fewer pages than drawn: the listing ended
            }
            path = request.path() + "&cursor=" + URLEncoder.encode(next.asText(), StandardCharsets.UTF_8);
        }
    }

    /** GET with a bearer token (the org's, or the admin's when null); a non-2xx answer throws. */
    public byte[] get(String path, String token) throws IOException {
        return exchange("GET", path, bearer(token), null, 60_000);
    }

    /**
     * The service's cache lookups so far, from {@code GET /metrics}: {answered from a cache tier,
     * all lookups}. Lookups = local hits + local misses (a Redis hit is a local miss answered by
     * Redis); bypassed reads (cache off) are not lookups.
     */
    public long[] cacheLookups() throws IOException {
        String metrics = new String(exchange("GET", "/metrics", null, null, 10_000), StandardCharsets.UTF_8);
        double localHit = 0, localMiss = 0, redisHit = 0;
        for (String line : metrics.split("\n")) {
            if (!line.startsWith("novacron_cache_requests_total{")) {
                continue;
            }
            double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            boolean hit = line.contains("result=\"hit\""), miss = line.contains("result=\"miss\"");
            if (line.contains("tier=\"local\"")) {
                localHit += hit ? v : 0;
                localMiss += miss ? v : 0;
            } else if (line.contains("tier=\"redis\"") && hit) {
                redisHit += v;
            }
        }
        return new long[] {(long) (localHit + redisHit), (long) (localHit + localMiss)};
    }

    /** {@code novacron_db_reads_total} of this instance: {reads the primary ran, reads any replica ran}. */
    public long[] readsByServer() throws IOException {
        String metrics = new String(exchange("GET", "/metrics", null, null, 10_000), StandardCharsets.UTF_8);
        double primary = 0, replicas = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("novacron_db_reads_total{")) {
                double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.contains("server=\"primary\"")) {
                    primary += v;
                } else {
                    replicas += v;
                }
            }
        }
        return new long[] {(long) primary, (long) replicas};
    }

    /** POST a JSON body; returns the parsed answer, a non-2xx answer throws. */
    public JsonNode post(String path, String token, String json) throws IOException {
        byte[] body = exchange("POST", path, bearer(token), json.getBytes(StandardCharsets.UTF_8), 60_000);
        return body.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
    }

    /**
     * One exchange; the body is read to its end (error bodies too), which is what returns the
     * connection to the keep-alive cache. A non-2xx answer throws with the start of its body.
     */
    private byte[] exchange(String method, String path, String authorization, byte[] json, int readTimeoutMs) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(baseUrl + path).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout(readTimeoutMs);
        if (authorization != null) {
            c.setRequestProperty("Authorization", authorization);
        }
        if (json != null) {
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            c.setFixedLengthStreamingMode(json.length);
            try (OutputStream out = c.getOutputStream()) {
                out.write(json);
            }
        }
        int status = c.getResponseCode();
        byte[] body;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            body = in == null ? new byte[0] : in.readAllBytes();
        }
        if (status / 100 != 2) {
            String text = new String(body, StandardCharsets.UTF_8);
            throw new IOException(method + " " + path + " -> " + status + " " + text.substring(0, Math.min(300, text.length())));
        }
        return body;
    }

    private String bearer(String token) {
        return "Bearer " + (token == null ? adminToken : token);
    }
}
