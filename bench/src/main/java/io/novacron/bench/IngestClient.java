package io.novacron.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts metric batches to the ingestion API. A batch answered 429 or 503 is re-sent after the
 * server's {@code Retry-After} (or an exponential back-off), and so is one whose connection
 * failed: by contract a re-sent batch is counted once, so retrying is always safe.
 */
public final class IngestClient {
    static final int MAX_ATTEMPTS = 12;

    /** What the service acknowledged for one batch. */
    public record Ack(long accepted, long duplicates) {
    }

    private final HttpClient http;
    private final String baseUrl;
    private final String token;
    private final AtomicLong retries = new AtomicLong();

    public IngestClient(String baseUrl, String token) {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
        this.baseUrl = baseUrl;
        this.token = token;
    }

    public long retries() {
        return retries.get();
    }

    /** Sends one JSON batch to {@code path} until it is acknowledged (202). */
    public Ack post(String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        long backoffMs = 100;
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                retries.incrementAndGet();
                Thread.sleep(backoffMs);
                backoffMs = Math.min(5_000, backoffMs * 2);
                continue;
            }
            int status = r.statusCode();
            if (status == 200 || status == 201 || status == 202) {
                JsonNode ack = Json.MAPPER.readTree(r.body());
                return new Ack(ack.path("accepted").asLong(), ack.path("duplicates").asLong());
            }
            if ((status == 429 || status == 503) && attempt < MAX_ATTEMPTS) {
                retries.incrementAndGet();
                long wait = r.headers().firstValue("Retry-After").map(IngestClient::seconds).orElse(-1L);
                Thread.sleep(wait >= 0 ? Math.max(50, wait * 1000) : backoffMs);
                backoffMs = Math.min(5_000, backoffMs * 2);
                continue;
            }
            String text = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
            throw new IOException("POST " + path + " -> " + status + ": " + text.substring(0, Math.min(500, text.length())));
        }
    }

    private static long seconds(String retryAfter) {
        try {
            return Long.parseLong(retryAfter.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
