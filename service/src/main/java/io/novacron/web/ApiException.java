package io.novacron.web;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception a request handler throws to answer with an error. It carries the code,
 * a human sentence and structured details; {@link Errors} turns it into API.md's error body.
 * Callers branch on {@link #code()}, never on the message.
 */
public final class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final Map<String, Object> details;

    public ApiException(ErrorCode code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(ErrorCode.NOT_FOUND, what + " " + id + " not found", Map.of("resource", what, "id", id));
    }

    public static ApiException notFound(String message) {
        return new ApiException(ErrorCode.NOT_FOUND, message, null);
    }

    /** A field of the request is missing or wrong; {@code details.field} names it. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorCode.VALIDATION_FAILED, message, Map.of("field", field));
    }

    public static ApiException invalid(String field, String message, Map<String, Object> more) {
        Map<String, Object> d = new LinkedHashMap<>(more);
        d.put("field", field);
        return new ApiException(ErrorCode.VALIDATION_FAILED, message, d);
    }

    public static ApiException conflict(String message) {
        return new ApiException(ErrorCode.CONFLICT, message, null);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(ErrorCode.FORBIDDEN, message, null);
    }

    public static ApiException unauthorized(String message) {
        return new ApiException(ErrorCode.UNAUTHORIZED, message, null);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(ErrorCode.UNAVAILABLE, message, null);
    }
}
