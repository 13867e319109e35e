package io.novacron.console;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.novacron.web.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The web console: a fixed set of static files from the jar ({@code resources/console/} and
 * uPlot's WebJar), read once at start, served at {@code GET /} (the page) and
 * {@code GET /console/{file}} (its scripts, styles and the charting library). The console is a
 * client of the public {@code /api/v1} routes with the user's token and adds no API.
 *
 * <p>Every answer carries a strict Content-Security-Policy (scripts and styles only from this
 * origin, no inline code, no framing, fetches only to this origin) and {@code nosniff}. Files are
 * revalidated on every load ({@code no-cache} + a content ETag, 304 when unchanged), so a new jar
 * is picked up at once without versioned file names or a build step. Only the names listed here
 * are served: a request can never walk the class path.
 */
public final class ConsoleAssets {
    static final String CSP = String.join("; ",
            "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
            "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'");

    private static final String OWN = "/console/";
    /** The console's own files (resources/console/), by the name they are served under. */
    private static final String[] FILES = {"index.html", "console.css", "app.js", "api.js", "dom.js", "views.js",
            "charts.js", "admin.js", "favicon.svg"};

    record Asset(byte[] body, String contentType, String etag) {
    }

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    public ConsoleAssets() {
        for (String name : FILES) {
            assets.put(name, asset(OWN + name, name));
        }
        String uplot = "/META-INF/resources/webjars/uplot/" + webjarVersion("uplot") + "/";
        assets.put("uPlot.esm.js", asset(uplot + "dist/uPlot.esm.js", "uPlot.esm.js"));
        assets.put("uPlot.min.css", asset(uplot + "dist/uPlot.min.css", "uPlot.min.css"));
        assets.put("uPlot.LICENSE.txt", asset(uplot + "LICENSE", "uPlot.LICENSE.txt"));
    }

    public void register(Javalin app) {
        app.get("/", ctx -> send(ctx, assets.get("index.html")));
        app.get("/console/{file}", ctx -> {
            Asset a = assets.get(ctx.pathParam("file"));
            if (a == null) {
                throw ApiException.notFound("console file", ctx.pathParam("file"));
            }
            send(ctx, a);
        });
    }

    private static void send(Context ctx, Asset a) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("ETag", a.etag());
        String inm = ctx.header("If-None-Match");
        if (inm != null && (inm.equals(a.etag()) || inm.equals("W/" + a.etag()))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(a.contentType()).result(a.body());
    }

    private static Asset asset(String resource, String name) {
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing console resource " + resource);
            }
            byte[] body = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return new Asset(body, contentType(name), "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable console resource " + resource, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String webjarVersion(String artifact) {
        String resource = "/META-INF/maven/org.webjars.npm/" + artifact + "/pom.properties";
        try (InputStream in = ConsoleAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing WebJar " + artifact + " (" + resource + ")");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String contentType(String name) {
        String ext = name.substring(name.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "txt" -> "text/plain; charset=utf-8";
            default -> throw new IllegalArgumentException("no content type for " + name);
        };
    }
}
