package io.novacron.web;

import io.javalin.http.Context;
import io.novacron.cache.CachedBody;

/** Sends a (possibly cached) JSON answer of a GET: ETag always, 304 when If-None-Match names it. */
public final class CachedAnswer {
    private CachedAnswer() {
    }

    public static void send(Context ctx, CachedBody body) {
        ctx.header("ETag", body.etag());
        ctx.header("Cache-Control", "no-cache");
        if (body.matches(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(body.json());
    }
}
