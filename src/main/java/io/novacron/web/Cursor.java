package io.novacron.web;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Opaque keyset cursors: the sort key values of the last row returned, plus the sort they were
 * made for, as base64url JSON. Keyset (not OFFSET) pagination is what keeps a cursor valid while
 * rows are inserted or deleted: the next page starts strictly after the last row seen.
 * A cursor used with another sort, or tampered with, is a 400.
 */
public final class Cursor {
    private Cursor() {
    }

    public static String encode(String sort, List<Object> key) {
        try {
            byte[] json = Json.MAPPER.writeValueAsBytes(Map.of("s", sort, "k", key));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(json);
        } catch (Exception e) {
            throw new IllegalStateException("cursor key is not serializable", e);
        }
    }

    /** The key values of {@code cursor}, or null when there is none (first page). */
    public static List<Object> decode(String cursor, String sort, int arity) {
        if (cursor == null) {
            return null;
        }
        try {
            byte[] json = Base64.getUrlDecoder().decode(cursor);
            Map<String, Object> m = Json.MAPPER.readValue(new String(json, StandardCharsets.UTF_8),
                    new TypeReference<Map<String, Object>>() { });
            Object k = m.get("k");
            if (!sort.equals(m.get("s")) || !(k instanceof List<?> key) || key.size() != arity) {
                throw new IllegalArgumentException();
            }
            @SuppressWarnings("unchecked")
            List<Object> typed = (List<Object>) key;
            return typed;
        } catch (Exception e) {
            throw ApiException.invalid("cursor", "cursor is malformed or was made for another sort");
        }
    }

    /** The i-th key value as a long (JSON numbers come back as Integer or Long). */
    public static long longAt(List<Object> key, int i) {
        Object v = key.get(i);
        if (v instanceof Number n) {
            return n.longValue();
        }
        throw ApiException.invalid("cursor", "cursor is malformed");
    }

    public static String stringAt(List<Object> key, int i) {
        Object v = key.get(i);
        if (v instanceof String s) {
            return s;
        }
        throw ApiException.invalid("cursor", "cursor is malformed");
    }
}
