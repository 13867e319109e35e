package io.novacron.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3 document served at {@code /openapi.json}. Each domain keeps its own fragment
 * beside its code's resources ({@code openapi/<domain>.json}: {@code paths} and
 * {@code components.schemas}); they are merged here once. A test checks the merged paths against
 * the routes Javalin actually registered, so the document cannot drift from the service.
 */
public final class OpenApi {
    /** Fragments merged into the document, in this order; add a domain's file here. */
    static final List<String> FRAGMENTS = List.of("base", "ops", "fleet", "reads", "metrics", "agents", "console");

    private OpenApi() {
    }

    public static ObjectNode document() {
        ObjectNode doc = load("base");
        for (String name : FRAGMENTS.subList(1, FRAGMENTS.size())) {
            JsonNode part = load(name);
            merge((ObjectNode) doc.withObject("/paths"), part.path("paths"));
            merge((ObjectNode) doc.withObject("/components").withObject("/schemas"),
                    part.path("components").path("schemas"));
        }
        return doc;
    }

    private static void merge(ObjectNode into, JsonNode from) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (into.has(e.getKey()) && into.get(e.getKey()) instanceof ObjectNode existing && e.getValue() instanceof ObjectNode add) {
                existing.setAll(add); // same path, more methods
            } else {
                into.set(e.getKey(), e.getValue());
            }
        }
    }

    private static ObjectNode load(String name) {
        String resource = "/openapi/" + name + ".json";
        try (InputStream in = OpenApi.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing OpenAPI fragment " + resource);
            }
            return (ObjectNode) Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable OpenAPI fragment " + resource, e);
        }
    }
}
