package io.novacron.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.web.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A small HTTP client for tests: JSON in, {@link Response} out, bearer token attached. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final String token;

    public Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    public record Response(int status, JsonNode json, String body, Map<String, java.util.List<String>> headers) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        /** error.code of an error body. */
        public String errorCode() {
            return json.path("error").path("code").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public Response get(String path) {
        return send("GET", path, null, Map.of());
    }

    public Response get(String path, Map<String, String> headers) {
        return send("GET", path, null, headers);
    }

    public Response post(String path, Object body) {
        return send("POST", path, body, Map.of());
    }

    public Response patch(String path, Object body) {
        return send("PATCH", path, body, Map.of());
    }

    public Response delete(String path) {
        return send("DELETE", path, null, Map.of());
    }

    /** Sends {@code body} as is when it is a String or byte[], else as JSON. */
    public Response send(String method, String path, Object body, Map<String, String> headers) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            headers.forEach(b::header);
            byte[] bytes = body == null ? null
                    : body instanceof byte[] raw ? raw
                    : body instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : Json.MAPPER.writeValueAsBytes(body);
            if (bytes != null && !headers.containsKey("Content-Type")) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, bytes == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(bytes));
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json;
            try {
                json = r.body().isEmpty() ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(r.body());
            } catch (IOException notJson) {
                json = Json.MAPPER.missingNode();
            }
            return new Response(r.statusCode(), json, r.body(), r.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
