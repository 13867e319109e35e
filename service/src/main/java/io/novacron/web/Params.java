package io.novacron.web;

import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The query parameters of one request, checked against the keys its route accepts: an unknown
 * key is a 400 naming it (a misspelt filter must not silently widen a result).
 */
public final class Params {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private final Map<String, List<String>> values;

    private Params(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * The request's parameters; every key must be in {@code allowed}. A stray {@code &} (as in
     * {@code ?limit=5&}) is not a parameter; a value without a name ({@code ?=5}) is refused.
     */
    public static Params of(Context ctx, Set<String> allowed) {
        Map<String, List<String>> q = new TreeMap<>(ctx.queryParamMap());
        List<String> nameless = q.remove("");
        if (nameless != null && nameless.stream().anyMatch(v -> !v.isEmpty())) {
            throw ApiException.invalid("", "query parameter without a name", Map.of("allowed", allowed));
        }
        for (String key : q.keySet()) {
            if (!allowed.contains(key)) {
                throw ApiException.invalid(key, "unknown query parameter '" + key + "'", Map.of("allowed", allowed));
            }
        }
        return new Params(q);
    }

    /**
     * A canonical form for cache keys: keys sorted, repeated values sorted, without {@code org_id}
     * (the cache scope carries the organization).
     */
    public String canonical() {
        StringBuilder sb = new StringBuilder();
        for (var e : values.entrySet()) {
            if (e.getKey().equals("org_id")) {
                continue;
            }
            for (String v : e.getValue().stream().sorted().toList()) {
                sb.append(sb.isEmpty() ? "" : "&").append(e.getKey()).append('=').append(v);
            }
        }
        return sb.toString();
    }

    public String optString(String name) {
        List<String> v = values.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw ApiException.invalid(name, "parameter '" + name + "' may be given only once");
        }
        return v.get(0);
    }

    public List<String> list(String name) {
        return values.getOrDefault(name, List.of());
    }

    public Long optLong(String name) {
        String v = optString(name);
        if (v == null) {
            return null;
        }
        try {
            return asciiLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "parameter '" + name + "' must be an integer");
        }
    }

    public Double optDouble(String name) {
        String v = optString(name);
        if (v == null) {
            return null;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "parameter '" + name + "' must be a finite number");
        }
    }

    /** RFC 3339 timestamp or epoch milliseconds. */
    public Instant optInstant(String name) {
        String v = optString(name);
        return v == null ? null : parseInstant(name, v);
    }

    public static Instant parseInstant(String field, String v) {
        try {
            if (!v.isEmpty() && (Character.isDigit(v.charAt(0)) && v.chars().allMatch(Character::isDigit))) {
                return Instant.ofEpochMilli(Long.parseLong(v));
            }
            return java.time.OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ApiException.invalid(field, "'" + field + "' must be an RFC 3339 timestamp or epoch milliseconds");
        }
    }

    /** {@code limit}: default 50, 1 to 500. */
    public int limit() {
        Long l = optLong("limit");
        if (l == null) {
            return DEFAULT_LIMIT;
        }
        if (l < 1 || l > MAX_LIMIT) {
            throw ApiException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return l.intValue();
    }

    /** Reads a path parameter as an id; a non-numeric id names nothing, so it is a 404. */
    public static long pathId(Context ctx, String name, String resource) {
        String v = ctx.pathParam(name);
        try {
            if (v.isEmpty() || v.charAt(0) == '-' || v.charAt(0) == '+') {
                throw new NumberFormatException(v);
            }
            return asciiLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.notFound(resource, v);
        }
    }

    /**
     * An optional '-' and ASCII digits only: {@link Long#parseLong} alone also takes '+' and any
     * Unicode digit, so {@code /vms/%EF%BC%91} (a full-width one) would have named VM 1.
     */
    static long asciiLong(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < '0' || c > '9') && !(i == 0 && c == '-' && v.length() > 1)) {
                throw new NumberFormatException(v);
            }
        }
        return Long.parseLong(v);
    }
}
