package io.novacron.web.edge;

import io.javalin.http.Context;
import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Refuses, before any route runs, a request target that no route could read safely: invalid
 * percent-encoding ({@code %uff0e}, {@code %zz}, a lone {@code %}), percent-encoded bytes that are
 * not UTF-8, and NUL or other control characters in the path or in a query parameter (PostgreSQL
 * refuses NUL in text, and Javalin's own decoder throws on bad escapes, which surfaced as 500s).
 * A bad query parameter is a {@code 400 validation_failed} naming it; a bad path or an undecodable
 * query is a {@code 400 bad_request}; a Content-Type charset other than UTF-8 is a {@code 415}. Cost: one scan of the target, no allocation when it holds no
 * escapes.
 */
public final class RequestGuard {
    private RequestGuard() {
    }

    public static void check(Context ctx) {
        String charset = charset(ctx.req().getContentType());
        if (charset != null && !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
            // Javalin decodes the query string with the request's charset and yields no parameters at
            // all for one it cannot load: ?org_id= and every filter would silently vanish.
            throw new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "requests are UTF-8; the content type's charset '" + printable(charset) + "' is not supported", null);
        }
        String path = ctx.req().getRequestURI();
        if (path != null && decode(path, false) == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST,
                    "the request path is not valid percent-encoded UTF-8 without control characters", null);
        }
        String query = ctx.queryString();
        if (query == null || query.isEmpty()) {
            return;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String rawKey = eq < 0 ? pair : pair.substring(0, eq);
            String key = decode(rawKey, true);
            if (key == null) {
                throw new ApiException(ErrorCode.BAD_REQUEST,
                        "a query parameter name is not valid percent-encoded UTF-8 without control characters", null);
            }
            if (eq >= 0 && decode(pair.substring(eq + 1), true) == null) {
                throw ApiException.invalid(key, "query parameter '" + printable(key)
                        + "' is not valid percent-encoded UTF-8 without control characters", Map.of());
            }
        }
    }

    /**
     * Strictly decodes {@code %XX} escapes (and {@code +} as a space in a query); null when an escape
     * is malformed, the bytes are not UTF-8, or the result holds a control character.
     */
    static String decode(String raw, boolean query) {
        String text = raw;
        if (raw.indexOf('%') >= 0) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '%') {
                    if (i + 2 >= raw.length()) {
                        return null;
                    }
                    int hi = Character.digit(raw.charAt(i + 1), 16);
                    int lo = Character.digit(raw.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        return null;
                    }
                    bytes.write(hi << 4 | lo);
                    i += 2;
                } else if (c < 0x80) {
                    bytes.write(c);
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
            }
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            } catch (CharacterCodingException e) {
                return null;
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return null;
            }
        }
        return query ? text.replace('+', ' ') : text;
    }

    /** The charset parameter of a Content-Type header, unquoted, or null. */
    static String charset(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String v = param.substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }

    private static String printable(String key) {
        return key.length() > 64 ? key.substring(0, 64) + "…" : key;
    }
}
