package io.novacron.web.edge;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.novacron.web.ApiException;
import io.novacron.web.ErrorCode;
import io.novacron.web.Errors;
import java.util.Map;

/**
 * What happens to a request before (and around) its route: Jetty's refusals rendered as JSON,
 * the request target checked by {@link RequestGuard}, and a JSON body for the statuses Javalin
 * sets without one. {@code app.Application} calls {@link #configure} inside {@code Javalin.create}
 * and {@link #register} before any route or before-handler.
 */
public final class HttpEdge {
    /**
     * Javalin answers a request whose body broke off mid-read (a bad chunk, a client gone) with
     * this status and no body; 400 because the request, not the server, failed.
     */
    static final int CLIENT_ABORT_STATUS = 400;
    /** Javalin's status when Jetty's idle timeout fires while a handler reads the body. */
    static final int READ_TIMEOUT_STATUS = 408;

    private HttpEdge() {
    }

    public static void configure(JavalinConfig cfg) {
        cfg.jetty.clientAbortStatus = CLIENT_ABORT_STATUS;
        cfg.jetty.timeoutStatus = READ_TIMEOUT_STATUS;
        cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
        cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(new JsonErrorHandler()));
    }

    public static void register(Javalin app) {
        app.before(RequestGuard::check);
        // Statuses Javalin sets itself with an empty body (client abort, read timeout, a java.lang.Error).
        for (int status : new int[] {CLIENT_ABORT_STATUS, READ_TIMEOUT_STATUS, 500}) {
            app.error(status, ctx -> {
                if (ctx.resultInputStream() == null) {
                    ErrorCode code = ErrorCode.forStatus(ctx.statusCode());
                    Errors.respond(ctx, new ApiException(code, status == CLIENT_ABORT_STATUS
                            ? "the request body could not be read (broken chunked encoding or connection)"
                            : status == READ_TIMEOUT_STATUS ? "the request body did not arrive in time" : "internal error",
                            Map.of()));
                }
            });
        }
    }
}
