package io.novacron.web;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.novacron.db.DbException;
import io.novacron.db.SqlStates;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shapes every error response as API.md's {@code {"error": {"code", "message", "details"}}}:
 * our {@link ApiException}, Javalin's own 404/405/413, database errors by SQLSTATE and, last,
 * anything unexpected (500, logged here with its stack, never sent to the client).
 */
public final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);
    /** Seconds a client should wait before retrying after a 503 or 429. */
    public static final String RETRY_AFTER_SECONDS = "1";

    private Errors() {
    }

    public static void register(Javalin app) {
        app.exception(ApiException.class, (e, ctx) -> respond(ctx, e));
        app.exception(DbException.class, (e, ctx) -> respond(ctx, fromDatabase(e.sqlException(), e.constraint(), ctx)));
        app.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, fromJavalin(e)));
        app.exception(Exception.class, (e, ctx) -> {
            if (e.getCause() instanceof SQLException sql && SqlStates.isUnavailable(sql)) {
                respond(ctx, databaseUnavailable());
                return;
            }
            log.error("unhandled error on {} {}", ctx.method(), ctx.path(), e);
            respond(ctx, new ApiException(ErrorCode.INTERNAL, "internal error", null));
        });
    }

    public static void respond(Context ctx, ApiException e) {
        ErrorCode code = e.code();
        if (code == ErrorCode.UNAVAILABLE || code == ErrorCode.TOO_MANY_REQUESTS) {
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.code());
        error.put("message", e.getMessage());
        error.put("details", e.details());
        ctx.status(code.status()).json(Map.of("error", error));
    }

    public static ApiException databaseUnavailable() {
        return ApiException.unavailable("the database is unavailable; retry shortly");
    }

    static ApiException fromDatabase(SQLException e, String constraint, Context ctx) {
        if (SqlStates.isUnavailable(e)) {
            return databaseUnavailable();
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        switch (state) {
            case SqlStates.UNIQUE_VIOLATION:
                return new ApiException(ErrorCode.CONFLICT, "an object with the same unique value already exists",
                        constraint == null ? Map.of() : Map.of("constraint", constraint));
            case SqlStates.FOREIGN_KEY_VIOLATION:
                return new ApiException(ErrorCode.CONFLICT, "the request refers to an object that does not exist or is still in use",
                        constraint == null ? Map.of() : Map.of("constraint", constraint));
            case SqlStates.CHECK_VIOLATION:
                if (constraint != null && constraint.startsWith("node_") && constraint.endsWith("_not_overcommitted")) {
                    return new ApiException(ErrorCode.INSUFFICIENT_CAPACITY, "the node does not have enough free capacity",
                            Map.of("constraint", constraint));
                }
                return new ApiException(ErrorCode.VALIDATION_FAILED, "a value is outside its allowed range",
                        constraint == null ? Map.of() : Map.of("constraint", constraint));
            case SqlStates.QUERY_CANCELED:
                return new ApiException(ErrorCode.UNAVAILABLE, "the request took longer than the statement timeout", null);
            default:
                log.error("database error on {} {} [sqlstate={}]", ctx.method(), ctx.path(), state, e);
                return new ApiException(ErrorCode.INTERNAL, "internal error", null);
        }
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        return switch (e.getStatus()) {
            case 404 -> new ApiException(ErrorCode.NOT_FOUND, "no such route", null);
            case 405 -> new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "method not allowed on this route", null);
            case 413 -> new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "request body is too large", null);
            case 400 -> new ApiException(ErrorCode.VALIDATION_FAILED, "bad request", null);
            case 401 -> ApiException.unauthorized("missing or invalid bearer token");
            case 403 -> ApiException.forbidden("forbidden");
            case 503 -> ApiException.unavailable("service unavailable");
            default -> new ApiException(e.getStatus() >= 500 ? ErrorCode.INTERNAL : ErrorCode.VALIDATION_FAILED,
                    "request failed", Map.of("status", e.getStatus()));
        };
    }
}
