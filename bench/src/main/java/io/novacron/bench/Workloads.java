package io.novacron.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The request mixes of BENCHMARK.md "Workloads", one per critical read, with parameters drawn at
 * random (organizations weighted by size). Each workload is a function from a random stream to
 * a {@link Request}; the same draw serves the HTTP service and the baseline SQL.
 */
public final class Workloads {
    public static final List<String> NAMES = List.of("dashboard", "vm_listing", "monitoring", "node_capacity", "metrics_aggregation");
    /** Not a read: {@code GET /healthz}, the cost of HTTP itself on this client and server, to read the others against. */
    public static final String HTTP_FLOOR = "http_floor";
    static final String[] LISTING_SORTS = {"created_at", "-created_at", "name", "-name", "cpu_cores", "-cpu_cores", "memory_mb", "-memory_mb"};
    static final String[] VM_STATES = {"running", "stopped", "paused", "error", "migrating", "pending"};

    private final FleetProfile fleet;

    public Workloads(FleetProfile fleet) {
        this.fleet = fleet;
    }

    public Request draw(String workload, SplittableRandom r) {
        return switch (workload) {
            case "dashboard" -> dashboard(r);
            case "vm_listing" -> listing(r);
            case "monitoring" -> monitoring(r);
            case "node_capacity" -> capacity(r);
            case "metrics_aggregation" -> aggregation(r);
            case HTTP_FLOOR -> new Request.Builder(HTTP_FLOOR, "healthz", null, "/healthz").build();
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        };
    }

    /** A random organization's dashboard (weighted by size), or the platform-wide view (admin). */
    Request dashboard(SplittableRandom r) {
        if (r.nextInt(5) == 0) {
            return new Request.Builder("dashboard", "platform", null, "/api/v1/dashboard").build();
        }
        FleetProfile.Org org = fleet.orgBySize(r);
        return new Request.Builder("dashboard", "org", org.token(), "/api/v1/dashboard").param("org_id", org.id()).build();
    }

    /** A random filter combination (state, tag, node, name substring) and sort; 1 to 100 pages (log-uniform) reached by cursors. */
    Request listing(SplittableRandom r) {
        FleetProfile.Org org = fleet.orgBySize(r);
        var b = new Request.Builder("vm_listing", "filtered", org.token(), "/api/v1/vms").param("org_id", org.id());
        List<String> names = new ArrayList<>();
        if (r.nextInt(10) < 4) {
            // One state: the baseline statement filters on one, so both sides answer the same question.
            b.param("state", VM_STATES[r.nextInt(10) < 7 ? r.nextInt(3) : 3 + r.nextInt(3)]);
            names.add("state");
        }
        if (r.nextInt(10) < 4) {
            List<String> tags = new ArrayList<>(List.of("env:" + FleetGenerator.ENVS[r.nextInt(FleetGenerator.ENVS.length)]));
            if (r.nextBoolean()) {
                tags.add("tier:" + FleetGenerator.TIERS[r.nextInt(FleetGenerator.TIERS.length)]);
            }
            b.param("tag", tags);
            names.add("tag");
        }
        if (r.nextInt(100) < 15) {
            b.param("node_id", fleet.node(r).id());
            names.add("node");
        }
        if (r.nextInt(10) < 3) {
            b.param("q", r.nextBoolean() ? FleetGenerator.SERVICES[r.nextInt(FleetGenerator.SERVICES.length)]
                    : FleetGenerator.ROLES_OF_APPS[r.nextInt(FleetGenerator.ROLES_OF_APPS.length)] + "-prod");
            names.add("q");
        }
        b.param("sort", LISTING_SORTS[r.nextInt(LISTING_SORTS.length)]).param("limit", 50);
        int pages = Math.max(1, (int) Math.pow(100, r.nextDouble()));
        return b.pages(pages).build().withVariant(names.isEmpty() ? "unfiltered" : String.join("+", names));
    }

    /** The org's VMs top 50 by CPU; or one node's latest sample (admin). */
    Request monitoring(SplittableRandom r) {
        if (r.nextInt(5) == 0) {
            return new Request.Builder("monitoring", "one_node", null, "/api/v1/monitoring/nodes")
                    .param("node_id", fleet.node(r).id()).build();
        }
        FleetProfile.Org org = fleet.orgBySize(r);
        return new Request.Builder("monitoring", "org_top50_cpu", org.token(), "/api/v1/monitoring/vms")
                .param("org_id", org.id()).param("sort", "-cpu_usage").param("limit", 50).build();
    }

    /** All nodes; or nodes of a zone that fit a VM of a size from the menu. */
    Request capacity(SplittableRandom r) {
        var b = new Request.Builder("node_capacity", "all", null, "/api/v1/nodes/capacity");
        if (r.nextInt(10) < 4) {
            return b.param("limit", 500).build();
        }
        int[] size = FleetGenerator.SIZES[r.nextInt(FleetGenerator.SIZES.length)];
        return b.param("zone", FleetGenerator.ZONES[r.nextInt(FleetGenerator.ZONES.length)])
                .param("fits_cpu", size[0]).param("fits_memory_mb", size[1] * 1024).param("limit", 50)
                .build().withVariant("zone_fits");
    }

    /**
     * One VM 24 h at 5 m; one VM 24 h raw; one node 24 h at 5 m; a whole org 24 h at 5 m, ending
     * at the last samples' minute or 30 s into the next one, as a dashboard's "now" (its window
     * edges cut a minute of the org's samples); one VM 7 d at auto.
     */
    Request aggregation(SplittableRandom r) {
        Instant to = fleet.seriesEnd();
        Instant day = to.minus(Duration.ofHours(24));
        FleetProfile.MetricVm vm = fleet.hasMetrics() ? fleet.metricVm(r) : null;
        String token = vm == null ? null : fleet.org(vm.orgId()).token();
        int pick = vm == null ? 2 : r.nextInt(6);
        var b = switch (pick) {
            case 0 -> query("vm_24h_5m", token, "vm", vm.vmId(), day, to, "5m");
            case 1 -> query("vm_24h_raw", token, "vm", vm.vmId(), day, to, "raw");
            case 2 -> query("node_24h_5m", null, "node", fleet.node(r).id(), day, to, "5m");
            case 3 -> query("org_24h_5m", token, "org", vm.orgId(), day, to, "5m");
            case 4 -> query("org_24h_5m_now", token, "org", vm.orgId(), day.plusSeconds(30), to.plusSeconds(30), "5m");
            default -> query("vm_7d_auto", token, "vm", vm.vmId(), to.minus(Duration.ofDays(7)), to, "auto");
        };
        return b.build();
    }

    /** CPU usage, with the aggregates the baseline statement computes for the scope. */
    private static Request.Builder query(String variant, String token, String scope, long id, Instant from, Instant to, String step) {
        List<String> aggs = "raw".equals(step) ? null : "org".equals(scope) ? List.of("avg", "min", "max")
                : List.of("avg", "min", "max", "p95");
        return new Request.Builder("metrics_aggregation", variant, token, "/api/v1/metrics/query")
                .param("scope", scope).param("id", id).param("metric", "cpu_usage")
                .param("from", from.toString()).param("to", to.toString()).param("step", step).param("agg", aggs);
    }
}
