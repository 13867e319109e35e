package io.novacron.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.novacron.web.ApiException;
import io.novacron.web.Json;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * A VM's {@code metadata}: a JSON object of at most 16 KiB whose optional {@code tags} is an array
 * of at most 64 strings of 1 to 128 characters. PATCH applies JSON merge-patch (RFC 7396).
 */
final class Metadata {
    static final int MAX_BYTES = 16 * 1024;
    static final int MAX_TAGS = 64;
    static final int MAX_TAG_LENGTH = 128;

    private Metadata() {
    }

    static ObjectNode validate(JsonNode metadata) {
        if (!(metadata instanceof ObjectNode o)) {
            throw ApiException.invalid("metadata", "'metadata' must be a JSON object");
        }
        JsonNode tags = o.get("tags");
        if (tags != null) {
            if (!tags.isArray()) {
                throw ApiException.invalid("metadata.tags", "'metadata.tags' must be an array of strings");
            }
            if (tags.size() > MAX_TAGS) {
                throw ApiException.invalid("metadata.tags", "'metadata.tags' may hold at most " + MAX_TAGS + " tags");
            }
            for (int i = 0; i < tags.size(); i++) {
                JsonNode t = tags.get(i);
                if (!t.isTextual() || t.asText().isEmpty() || t.asText().length() > MAX_TAG_LENGTH) {
                    throw ApiException.invalid("metadata.tags[" + i + "]",
                            "each tag must be a string of 1 to " + MAX_TAG_LENGTH + " characters");
                }
            }
        }
        if (o.toString().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw ApiException.invalid("metadata", "'metadata' must be at most " + MAX_BYTES + " bytes as JSON");
        }
        return o;
    }

    /** RFC 7396: objects merge recursively, null removes a member, anything else replaces. */
    static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : Json.MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
