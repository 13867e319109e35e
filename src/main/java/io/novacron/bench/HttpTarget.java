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
