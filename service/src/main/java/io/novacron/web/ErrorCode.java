package io.novacron.web;

/** The machine-readable error codes of API.md, each with its HTTP status. */
public enum ErrorCode {
    /** The request itself is malformed HTTP (request line, header, URI or its encoding); first of the 400s for {@link #forStatus}. */
    BAD_REQUEST(400),
    INVALID_JSON(400),
    VALIDATION_FAILED(400),
    INVALID_SAMPLES(422),
    /** A JSON merge patch sets a field every object must have to null (that would remove it). */
    REQUIRED_FIELD(422),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    REQUEST_TIMEOUT(408),
    CONFLICT(409),
    INSUFFICIENT_CAPACITY(409),
    INVALID_STATE_TRANSITION(409),
    PAYLOAD_TOO_LARGE(413),
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    EXPECTATION_FAILED(417),
    TOO_MANY_REQUESTS(429),
    HEADERS_TOO_LARGE(431),
    INTERNAL(500),
    NOT_IMPLEMENTED(501),
    UNAVAILABLE(503),
    HTTP_VERSION_NOT_SUPPORTED(505);

    private final int status;

    ErrorCode(int status) {
        this.status = status;
    }

    public int status() {
        return status;
    }

    /**
     * The code for an error status raised outside our handlers (by Jetty or Javalin): the first
     * constant with that status, else {@code bad_request} for a 4xx and {@code internal} for a 5xx.
     */
    public static ErrorCode forStatus(int status) {
        for (ErrorCode c : values()) {
            if (c.status == status) {
                return c;
            }
        }
        return status >= 500 ? INTERNAL : BAD_REQUEST;
    }

    /** The snake_case code sent in {@code error.code}. */
    public String code() {
        return name().toLowerCase();
    }
}
