package io.novacron.web;

import com.fasterxml.jackson.core.type.TypeReference;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Opaque keyset cursors: the sort key values of the last row returned, plus the sort they were
 * made for, as base64url JSON. Keyset (not OFFSET) pagination is what keeps a cursor valid while
 * rows are inserted or deleted: the next page starts strictly after the last row seen.
 * A cursor used with another sort, or tampered with, is a 400.
 */
public final class Cursor {
    private Cursor() {
    }

    /**
     * The tail every keyset list shares. {@code rows} were fetched with {@code LIMIT limit + 1}:
     * an extra row means there is a next page. Drops it (in place) and returns the cursor after
     * the last row kept, or null on the last page.
     */
    public static <T> String next(List<T> rows, int limit, String sort, Function<? super T, List<Object>> keyOf) {
        return next(rows, limit, sort, keyOf, Map.of());
    }

    /** {@link #next}, carrying {@code extras} to the next request (read back by {@link #extras}). */
    public static <T> String next(List<T> rows, int limit, String sort, Function<? super T, List<Object>> keyOf,
                                  Map<String, Object> extras) {
        if (rows.size() <= limit) {
            return null;
        }
        rows.subList(limit, rows.size()).clear();
        return encode(sort, keyOf.apply(rows.get(limit - 1)), extras);
    }

    static String encode(String sort, List<Object> key, Map<String, Object> extras) {
        Map<String, Object> m = new HashMap<>(extras);
        m.put("s", sort);
        m.put("k", key);
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.MAPPER.writeValueAsBytes(m));
        } catch (Exception e) {
            throw new IllegalStateException("cursor key is not serializable", e);
        }
    }

    /**
     * The entries {@link #next} carried in {@code cursor} (empty without a cursor). Only for a
     * cursor {@link #decode} accepted; a client can edit them, so they may carry only what the
     * client could not abuse (a row estimate, never a key or a scope).
     */
    public static Map<String, Object> extras(String cursor) {
        return cursor == null ? Map.of() : parse(cursor);
    }

    /** The key values of {@code cursor}, or null when there is none (first page). */
    public static List<Object> decode(String cursor, String sort, int arity) {
        if (cursor == null) {
            return null;
        }
        try {
            Map<String, Object> m = parse(cursor);
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

    private static Map<String, Object> parse(String cursor) {
        byte[] json = Base64.getUrlDecoder().decode(cursor);
        try {
            return Json.MAPPER.readValue(new String(json, StandardCharsets.UTF_8), new TypeReference<Map<String, Object>>() { });
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cursor is not JSON", e);
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
