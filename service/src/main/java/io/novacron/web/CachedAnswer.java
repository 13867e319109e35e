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
        ctx.contentType("application/json");
        // Written here rather than as ctx.result(bytes): Javalin copies a result stream through a
        // fresh buffer of Jetty's output size (32 KB) per response, for answers of a few hundred
        // bytes; at the reads' request rates that was most of the service's allocation and of its
        // young-GC pauses (issue 20's wrk tails).
        try {
            ctx.outputStream().write(body.json());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
