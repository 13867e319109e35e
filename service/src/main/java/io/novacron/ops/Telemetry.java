package io.novacron.ops;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's Micrometer registry (exposed as Prometheus text on {@code /metrics}) and the
 * per-request access log. Each request is logged once: method, route template, status, duration;
 * never its body or headers, so no token reaches a log.
 */
public final class Telemetry implements AutoCloseable {
    private static final Logger access = LoggerFactory.getLogger("access");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public Telemetry() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Javalin's request logger: one histogram sample and one access-log line per request. */
    public void onRequest(Context ctx, Float millis) {
        String route = routeOf(ctx);
        int status = ctx.statusCode();
        Timer.builder("http_server_requests")
                .description("HTTP request latency by route and status")
                .tag("method", ctx.method().name())
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record((long) (millis * 1_000_000L), TimeUnit.NANOSECONDS);
        access.info("{} {} {} {}ms", ctx.method(), route, status, String.format("%.2f", millis));
    }

    /** The matched route template; requests refused before routing (auth) or matching nothing are grouped. */
    private static String routeOf(Context ctx) {
        if (ctx.handlerType() == HandlerType.BEFORE) {
            return "rejected_before_routing";
        }
        String route = ctx.endpointHandlerPath();
        return route == null || route.isEmpty() || "*".equals(route) ? "unmatched" : route;
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
