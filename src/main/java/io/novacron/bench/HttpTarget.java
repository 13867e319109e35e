package io.novacron.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * The service over HTTP/1.1 on loopback, end to end: latency is from sending the request to
 * having read the whole body. VM listings follow {@code next_cursor} page after page.
 */
public final class HttpTarget implements Target {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
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
    public void execute(Request request, Histogram micros) throws IOException, InterruptedException {
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
    public byte[] get(String path, String token) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + (token == null ? adminToken : token))
                .timeout(Duration.ofSeconds(60)).GET().build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() / 100 != 2) {
            String text = new String(r.body(), StandardCharsets.UTF_8);
            throw new IOException("GET " + path + " -> " + r.statusCode() + " " + text.substring(0, Math.min(300, text.length())));
        }
        return r.body();
    }

    /**
     * The service's cache lookups so far, from {@code GET /metrics}: {answered from a cache tier,
     * all lookups}. Lookups = local hits + local misses (a Redis hit is a local miss answered by
     * Redis); bypassed reads (cache off) are not lookups.
     */
    public long[] cacheLookups() throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).timeout(Duration.ofSeconds(10)).GET().build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /metrics -> " + r.statusCode());
        }
        double localHit = 0, localMiss = 0, redisHit = 0;
        for (String line : r.body().split("\n")) {
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

    /** POST a JSON body; returns the parsed answer, a non-2xx answer throws. */
    public JsonNode post(String path, String token, String json) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + (token == null ? adminToken : token))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(r.body(), StandardCharsets.UTF_8);
        if (r.statusCode() / 100 != 2) {
            throw new IOException("POST " + path + " -> " + r.statusCode() + " " + text.substring(0, Math.min(300, text.length())));
        }
        return text.isEmpty() ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(text);
    }
}
