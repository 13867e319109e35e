package io.novacron.web.edge;

import io.novacron.web.ErrorCode;
import io.novacron.web.Errors;
import io.novacron.web.Json;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error answers in API.md's JSON error shape instead of its HTML page. Jetty answers
 * without reaching Javalin when the HTTP parser refuses a request (431 headers too large, 414 URI
 * too long, 505 version, 400 bad request line, header, URI or encoding, 417 Expect, ...: the
 * {@link #badMessageError} path) and when it fails a request before or around the servlet (the
 * {@link #handle} path). Both go through here; installed on the server and on the servlet context.
 */
public final class JsonErrorHandler extends ErrorHandler {
    private static final String JSON = "application/json";

    /** The parser's refusals: the connection is answered and closed with these bytes. */
    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        if (HttpStatus.hasNoBody(status)) {
            return ByteBuffer.allocate(0);
        }
        fields.put(HttpHeader.CONTENT_TYPE, JSON);
        if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
            fields.put(HttpHeader.RETRY_AFTER, Errors.RETRY_AFTER_SECONDS);
        }
        return ByteBuffer.wrap(body(status, reason));
    }

    /** Errors raised once a request was parsed (sendError, or a failure outside Javalin's handlers). */
    @Override
    public void handle(String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        baseRequest.setHandled(true);
        int status = response.getStatus();
        if (HttpStatus.hasNoBody(status) || response.isCommitted()) {
            return;
        }
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        byte[] body = body(status, message == null ? null : message.toString());
        response.setContentType(JSON);
        if (status == HttpStatus.SERVICE_UNAVAILABLE_503) {
            response.setHeader("Retry-After", Errors.RETRY_AFTER_SECONDS);
        }
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The error body for a status Jetty chose; its reason is Jetty's, never a stack or input echo beyond it. */
    static byte[] body(int status, String reason) {
        ErrorCode code = ErrorCode.forStatus(status);
        String standard = HttpStatus.getMessage(status);
        String message = reason == null || reason.isBlank() || reason.equals(standard)
                ? "the request was refused by the HTTP server: " + standard
                : "the request was refused by the HTTP server: " + reason;
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.code());
        error.put("message", message);
        error.put("details", Map.of("status", status));
        try {
            return Json.MAPPER.writeValueAsBytes(Map.of("error", error));
        } catch (IOException e) {
            throw new IllegalStateException("an error body is always serializable", e);
        }
    }
}
