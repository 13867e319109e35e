package io.novacron.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads JSON request bodies strictly and turns every parse problem into a 400 that names the field:
 * exactly one complete JSON object (no BOM, nothing after it), no duplicate keys, no text that
 * PostgreSQL cannot store.
 */
public final class Bodies {
    private Bodies() {
    }

    public static <T> T read(Context ctx, Class<T> type) {
        return parse(body(ctx), type);
    }

    /**
     * Reads a JSON merge patch (RFC 7396) of an object none of whose top-level fields may be
     * removed: {@code null} for any of them is a {@code 422 required_field} naming it, before
     * anything is changed. Absent fields stay as they are.
     */
    public static <T> T readPatch(Context ctx, Class<T> type) {
        JsonNode tree = tree(body(ctx));
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) {
                throw new ApiException(ErrorCode.REQUIRED_FIELD, "'" + e.getKey()
                        + "' cannot be removed: null in a merge patch removes a field, and every object has this one",
                        Map.of("field", e.getKey()));
            }
        }
        return convert(tree, type);
    }

    private static byte[] body(Context ctx) {
        String contentType = ctx.contentType();
        if (contentType != null && !contentType.toLowerCase().startsWith("application/json")) {
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "request body must be application/json", null);
        }
        byte[] body;
        try {
            body = ctx.bodyAsBytes(); // Javalin enforces maxRequestSize here (413)
        } catch (HttpResponseException e) {
            throw e;
        } catch (RuntimeException e) {
            // Jetty's refusal of a broken chunked body or a connection lost mid-body.
            throw new ApiException(ErrorCode.BAD_REQUEST, "the request body could not be read", null);
        }
        if (body.length == 0) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is empty; a JSON object is required", null);
        }
        return body;
    }

    /**
     * Parses a body that must be exactly one complete JSON object. It is read into a tree first:
     * Jackson's bean deserializer stops quietly at end of input inside an object, so binding the
     * bytes directly accepted a body missing its closing brace; the tree reader does not. Then every
     * string and key is checked for what PostgreSQL cannot store ({@link #checkText}).
     */
    public static <T> T parse(byte[] body, Class<T> type) {
        return convert(tree(body), type);
    }

    private static JsonNode tree(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is empty; a JSON object is required", null);
        }
        if (body.length >= 3 && (body[0] & 0xff) == 0xef && (body[1] & 0xff) == 0xbb && (body[2] & 0xff) == 0xbf
                || (body[0] & 0xff) == 0xfe || (body[0] & 0xff) == 0xff) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body must not start with a byte order mark", null);
        }
        // Jackson would detect UTF-16/32 by their zero bytes and read them; JSON between systems is
        // UTF-8 (RFC 8259), where a zero byte is never valid.
        for (byte b : body) {
            if (b == 0) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be UTF-8 JSON; it holds a zero byte", null);
            }
        }
        // Jackson's name reader lets some invalid UTF-8 through (a stray 0xFF in a key was stored).
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid UTF-8", null);
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body is not valid JSON (one complete JSON object, nothing after it)", null);
        } catch (java.io.IOException e) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body could not be read", null);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object, not null", null);
        }
        if (!tree.isObject()) {
            throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object", null);
        }
        checkText("", tree);
        return tree;
    }

    /**
     * Every key and string value must be storable as PostgreSQL text and jsonb: no NUL character
     * and no unpaired UTF-16 surrogate (a JSON {@code \\ud800} escape). 400 naming the field.
     */
    static void checkText(String path, JsonNode node) {
        if (node.isTextual()) {
            requireStorable(path, node.textValue());
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                requireStorable(field, e.getKey());
                checkText(field, e.getValue());
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkText(path + "[" + i + "]", node.get(i));
            }
        }
    }

    private static void requireStorable(String field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                throw ApiException.invalid(printable(field), "'" + printable(field) + "' must not contain the NUL character (U+0000)");
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                if (!paired) {
                    throw ApiException.invalid(printable(field), "'" + printable(field) + "' holds an unpaired UTF-16 surrogate");
                }
                i++;
            }
        }
    }

    /** A field path fit for a message: control characters escaped, at most 200 characters. */
    private static String printable(String field) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < field.length() && sb.length() < 200; i++) {
            char c = field.charAt(i);
            if (c < 0x20 || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static <T> T convert(JsonNode tree, Class<T> type) {
        try {
            T value = Json.MAPPER.treeToValue(tree, type);
            if (value == null) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object, not null", null);
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid(path(e), "unknown field '" + e.getPropertyName() + "'");
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof ApiException api) {
                throw api;
            }
            throw ApiException.invalid(path(e), "invalid value");
        } catch (MismatchedInputException e) {
            String field = path(e);
            if (field.isEmpty()) {
                throw new ApiException(ErrorCode.INVALID_JSON, "request body must be a JSON object", null);
            }
            throw ApiException.invalid(field, "field '" + field + "' has the wrong type or is missing",
                    e.getTargetType() == null ? Map.of() : Map.of("expected", simpleType(e.getTargetType())));
        } catch (JsonMappingException e) {
            throw ApiException.invalid(path(e), "invalid value for '" + path(e) + "'");
        } catch (JsonProcessingException e) {
            // e.g. a number out of the field's range (InputCoercionException)
            throw new ApiException(ErrorCode.VALIDATION_FAILED, "a value is out of range or of the wrong type", null);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String simpleType(Class<?> c) {
        if (Number.class.isAssignableFrom(c) || c == int.class || c == long.class || c == double.class) {
            return "number";
        }
        if (c == String.class) {
            return "string";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "boolean";
        }
        return "object";
    }
}
