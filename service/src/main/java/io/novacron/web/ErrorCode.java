package io.novacron.web;

/** The machine-readable error codes of API.md, each with its HTTP status. */
public enum ErrorCode {
    INVALID_JSON(400),
    VALIDATION_FAILED(400),
    INVALID_SAMPLES(422),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    INSUFFICIENT_CAPACITY(409),
    INVALID_STATE_TRANSITION(409),
    PAYLOAD_TOO_LARGE(413),
    UNSUPPORTED_MEDIA_TYPE(415),
    TOO_MANY_REQUESTS(429),
    INTERNAL(500),
    UNAVAILABLE(503);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** The snake_case code sent in {@code error.code}. */
    public String code() {
        return name().toLowerCase();
    }
}
