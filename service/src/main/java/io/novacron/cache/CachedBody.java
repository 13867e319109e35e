package io.novacron.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Arrays;

/** A JSON response body with its strong ETag (a digest of the bytes, so equal bodies share it). */
public record CachedBody(byte[] json, String etag) {

    public static CachedBody of(byte[] json) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return new CachedBody(json, '"' + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 15)) + '"');
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** Does an {@code If-None-Match} header value name this body? ({@code *} or a listed tag.) */
    public boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return etag + " " + new String(json, StandardCharsets.UTF_8);
    }
}
