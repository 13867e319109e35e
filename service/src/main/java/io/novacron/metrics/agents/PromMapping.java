package io.novacron.metrics.agents;

import io.novacron.config.ServiceConfig;
import io.novacron.metrics.series.MetricKind;
import java.util.HashMap;
import java.util.Map;

/**
 * Which Prometheus series are which metric of which node or VM: a series maps when its
 * {@code __name__} is one of the configured names and it carries that kind's id label with a
 * non-negative integer value. The defaults are the names that the shipped recording rules
 * ({@code prometheus/novacron-node.rules.yml}) produce.
 */
final class PromMapping {
    /** The metric a Prometheus metric name stands for. */
    record Target(MetricKind kind, int metric, String idLabel) {
    }

    private final Map<String, Target> byName = new HashMap<>();

    PromMapping(ServiceConfig.Agents agents) {
        add(MetricKind.NODE, agents.nodeMetrics(), agents.nodeLabel());
        add(MetricKind.VM, agents.vmMetrics(), agents.vmLabel());
    }

    private void add(MetricKind kind, Map<String, String> metrics, String label) {
        metrics.forEach((metric, prom) -> byName.put(prom, new Target(kind, kind.metricIndex(metric), label)));
    }

    /** The target of a metric name, or null when the name is not mapped. */
    Target target(String metricName) {
        return byName.get(metricName);
    }
}
