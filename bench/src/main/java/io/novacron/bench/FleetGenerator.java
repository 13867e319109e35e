package io.novacron.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Generates a dataset's inventory as streams of rows, deterministically for a seed. Memory is
 * O(orgs + nodes) whatever the number of VMs: org sizes and node allocation counters are the only
 * state; each row is handed to the consumer and forgotten.
 *
 * <p>Shape (BENCHMARK.md): organization sizes follow a Zipf law whose exponent is solved so that
 * the largest organization holds {@link #headShare} of the VMs; VM states about 70% running, 15%
 * stopped, 5% paused, 3% error, 2% migrating, 5% pending; sizes from a menu of 1–64 vCPU and
 * 1–256 GiB; tags from a few hundred values. VMs whose state holds resources are placed on online
 * nodes with room, so nodes fill up to their limits and never beyond; a VM that finds no room in
 * {@link #PLACEMENT_PROBES} random probes is generated {@code stopped} (a handful per dataset).
 */
public final class FleetGenerator {
    static final int PLACEMENT_PROBES = 256;
    /** Aggregate node capacity is sized so that resource-holding VMs fill it to this fraction. */
    static final double TARGET_FILL = 0.88;

    static final String[] STATES = {"running", "stopped", "paused", "error", "migrating", "pending"};
    static final double[] STATE_WEIGHTS = {0.70, 0.15, 0.05, 0.03, 0.02, 0.05};
    /** vCPU, memory GiB, weight: a cloud provider's general-purpose and memory-optimized menu. */
    static final int[][] SIZES = {
            {1, 1, 8}, {1, 2, 10}, {2, 4, 16}, {2, 8, 10}, {4, 8, 14}, {4, 16, 10}, {8, 16, 8}, {8, 32, 8},
            {16, 64, 7}, {32, 128, 5}, {64, 256, 4}};
    static final int[] DISKS_GB = {20, 40, 80, 160, 320, 640};
    static final String[] ZONES = {"eu-west-1a", "eu-west-1b", "eu-central-1a", "us-east-1a", "us-east-1b", "ap-south-1a"};
    static final String[] ENVS = {"prod", "prod", "prod", "staging", "staging", "dev", "test"};
    static final String[] SERVICES = {"auth", "billing", "search", "cart", "media", "ledger", "report", "notify",
            "ingest", "geo", "chat", "feed", "pay", "queue", "index"};
    static final String[] ROLES_OF_APPS = {"api", "svc", "worker", "web", "db", "cache", "gw", "job", "etl", "proxy"};
    static final String[] TIERS = {"web", "api", "db", "cache", "batch", "queue"};
    static final int TEAMS = 60, COST_CENTERS = 40;

    private final Dataset dataset;
    private final long seed;
    private final Instant anchor;
    private final Fleet.IdBase base;
    private final int[] orgVms;
    private final int[] orgUsers;
    private final long[] orgFirstUser;

    /** @param anchor the dataset's "now": creation times lie before it, metric series end at it. */
    public FleetGenerator(Dataset dataset, long seed, Instant anchor, Fleet.IdBase base) {
        this.dataset = dataset;
        this.seed = seed;
        this.anchor = anchor;
        this.base = base;
        double[] w = zipfWeights(dataset.orgs(), exponentForHead(dataset.orgs(), headShare(dataset.orgs())));
        this.orgVms = apportion(dataset.vms(), w);
        this.orgUsers = apportion(dataset.users(), w);
        this.orgFirstUser = new long[dataset.orgs()];
        long next = base.user() + 1;
        for (int o = 0; o < orgUsers.length; o++) {
            orgFirstUser[o] = next;
            next += orgUsers[o];
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    public long seed() {
        return seed;
    }

    public Instant anchor() {
        return anchor;
    }

    public Fleet.IdBase base() {
        return base;
    }

    /** VM counts per organization, largest first (rank order = id order). */
    public int[] orgSizes() {
        return orgVms.clone();
    }

    /**
     * The largest organization's share of VMs: 10% as BENCHMARK.md asks; with very few
     * organizations (small has 10) a 10% head would make them all equal, so it is at least 2/n.
     */
    static double headShare(int orgs) {
        return Math.max(0.10, Math.min(1.0, 2.0 / orgs));
    }

    public void orgs(Consumer<Fleet.Org> out) {
        SplittableRandom r = Streams.of(seed, Streams.ORGS);
        for (int o = 0; o < dataset.orgs(); o++) {
            Instant created = anchor.minus(Duration.ofDays(400 + r.nextInt(1000)));
            out.accept(new Fleet.Org(base.org() + o + 1, prefix() + "org-" + pad(o + 1, 4), created));
        }
    }

    public void users(Consumer<Fleet.User> out) {
        SplittableRandom r = Streams.of(seed, Streams.USERS);
        for (int o = 0; o < dataset.orgs(); o++) {
            for (int u = 0; u < orgUsers[o]; u++) {
                long id = orgFirstUser[o] + u;
                String role = u == 0 ? "admin" : r.nextDouble() < 0.3 ? "operator" : "viewer";
                out.accept(new Fleet.User(base.org() + o + 1, id, "user" + (u + 1) + "@org" + (o + 1) + ".example",
                        "User " + (u + 1) + " of org " + (o + 1), role, anchor.minus(Duration.ofDays(1 + r.nextInt(390)))));
            }
        }
    }

    public void nodes(Consumer<Fleet.Node> out) {
        // Mean demand per resource-holding VM, from the size menu.
        double wSum = 0, cpu = 0, mem = 0;
        for (int[] s : SIZES) {
            wSum += s[2];
            cpu += s[0] * s[2];
            mem += s[1] * s[2];
        }
        double disk = 0;
        for (int d : DISKS_GB) {
            disk += d;
        }
        double holding = STATE_WEIGHTS[0] + STATE_WEIGHTS[2] + STATE_WEIGHTS[4] + STATE_WEIGHTS[5];
        double perNode = (double) dataset.vms() * holding / dataset.nodes() / TARGET_FILL;
        double cpuPerNode = perNode * cpu / wSum, memPerNodeGb = perNode * mem / wSum, diskPerNode = perNode * disk / DISKS_GB.length;
        SplittableRandom r = Streams.of(seed, Streams.NODES);
        double[] variants = {0.5, 0.75, 1.0, 1.25, 1.5};
        for (int n = 0; n < dataset.nodes(); n++) {
            double f = variants[r.nextInt(variants.length)];
            int cores = Math.max(64, (int) Math.ceil(cpuPerNode * f / 8) * 8);
            long memMb = Math.max(256L * 1024, (long) Math.ceil(memPerNodeGb * f / 64) * 64 * 1024);
            long diskGb = Math.max(1000, (long) Math.ceil(diskPerNode * f / 100) * 100);
            String state = r.nextInt(50) == 0 ? "maintenance" : "online";
            out.accept(new Fleet.Node(base.node() + n + 1, prefix() + "hv-" + pad(n + 1, 5), ZONES[r.nextInt(ZONES.length)],
                    cores, memMb, diskGb, state, "r" + (1 + r.nextInt(40)), anchor.minus(Duration.ofDays(500 + r.nextInt(500)))));
        }
    }

    public void vms(Consumer<Fleet.Vm> out) {
        List<Fleet.Node> nodes = new ArrayList<>(dataset.nodes());
        nodes(nodes::add);
        int[] freeCpu = new int[nodes.size()];
        long[] freeMem = new long[nodes.size()], freeDisk = new long[nodes.size()];
        for (int n = 0; n < nodes.size(); n++) {
            freeCpu[n] = nodes.get(n).cpuCores();
            freeMem[n] = nodes.get(n).memoryMb();
            freeDisk[n] = nodes.get(n).diskGb();
        }
        SplittableRandom r = Streams.of(seed, Streams.VMS);
        long sizeWeights = 0;
        for (int[] s : SIZES) {
            sizeWeights += s[2];
        }
        long id = base.vm();
        for (int o = 0; o < dataset.orgs(); o++) {
            long orgId = base.org() + o + 1;
            for (int i = 0; i < orgVms[o]; i++) {
                id++;
                String state = STATES[pick(r, STATE_WEIGHTS)];
                int[] size = pickSize(r, sizeWeights);
                int cpu = size[0];
                long memMb = size[1] * 1024L, diskGb = DISKS_GB[r.nextInt(DISKS_GB.length)];
                int node = -1;
                if (Fleet.holdsResources(state)) {
                    for (int p = 0; p < PLACEMENT_PROBES && node < 0; p++) {
                        int n = r.nextInt(nodes.size());
                        if ("online".equals(nodes.get(n).state()) && freeCpu[n] >= cpu && freeMem[n] >= memMb && freeDisk[n] >= diskGb) {
                            node = n;
                        }
                    }
                    if (node < 0) {
                        state = "stopped"; // no room anywhere we looked: it waits, stopped, like a real over-full fleet
                    } else {
                        freeCpu[node] -= cpu;
                        freeMem[node] -= memMb;
                        freeDisk[node] -= diskGb;
                    }
                }
                if (node < 0 && "stopped".equals(state)) {
                    node = r.nextInt(nodes.size()); // its last host; a stopped VM holds nothing there
                }
                String service = SERVICES[r.nextInt(SERVICES.length)] + "-" + ROLES_OF_APPS[r.nextInt(ROLES_OF_APPS.length)];
                String env = ENVS[r.nextInt(ENVS.length)];
                List<String> tags = new ArrayList<>(5);
                tags.add("env:" + env);
                tags.add("team:t" + pad(1 + r.nextInt(TEAMS), 2));
                tags.add("app:" + service);
                tags.add("tier:" + TIERS[r.nextInt(TIERS.length)]);
                if (r.nextBoolean()) {
                    tags.add("cost-center:cc" + (100 + r.nextInt(COST_CENTERS)));
                }
                long ownerId = orgFirstUser[o] + r.nextInt(orgUsers[o]);
                Instant created = r.nextInt(50) == 0
                        ? anchor.minusSeconds(1 + r.nextInt(86_400))
                        : anchor.minusSeconds(86_400 + r.nextLong(365L * 86_400));
                Instant updated = created.plusSeconds(r.nextLong(Math.max(1, anchor.getEpochSecond() - created.getEpochSecond())));
                out.accept(new Fleet.Vm(orgId, id, ownerId, node < 0 ? 0 : nodes.get(node).id(),
                        service + "-" + env + "-" + pad(i + 1, 5), state, cpu, memMb, diskGb, List.copyOf(tags), created, updated));
            }
        }
    }

    /** Ids of the VMs that report samples: every {@link Dataset#metricStride()}-th generated VM. */
    public long metricVmId(int k) {
        return base.vm() + 1 + (long) k * dataset.metricStride();
    }

    public long nodeId(int n) {
        return base.node() + n + 1;
    }

    private String prefix() {
        return "bench-" + dataset.name() + "-s" + seed + "-";
    }

    static int[] pickSize(SplittableRandom r, long totalWeight) {
        long x = r.nextLong(totalWeight);
        for (int[] s : SIZES) {
            if (x < s[2]) {
                return s;
            }
            x -= s[2];
        }
        return SIZES[SIZES.length - 1];
    }

    static int pick(SplittableRandom r, double[] weights) {
        double x = r.nextDouble();
        for (int i = 0; i < weights.length - 1; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    static double[] zipfWeights(int n, double s) {
        double[] w = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            w[r] = 1 / Math.pow(r + 1, s);
            sum += w[r];
        }
        for (int r = 0; r < n; r++) {
            w[r] /= sum;
        }
        return w;
    }

    /** The Zipf exponent whose rank-1 weight is {@code head} (bisection: the head share grows with s). */
    static double exponentForHead(int n, double head) {
        double lo = 0, hi = 4;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (zipfWeights(n, mid)[0] < head) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** Splits {@code total} by {@code weights}, at least 1 each, exactly summing to total. */
    static int[] apportion(int total, double[] weights) {
        int[] c = new int[weights.length];
        long sum = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.max(1, (int) Math.floor(total * weights[i]));
            sum += c[i];
        }
        for (int i = 0; sum < total; i = (i + 1) % c.length, sum++) {
            c[i]++;
        }
        for (int i = 0; sum > total; i = (i + 1) % c.length) {
            if (c[i] > 1) {
                c[i]--;
                sum--;
            }
        }
        return c;
    }

    static String pad(int v, int width) {
        String s = Integer.toString(v);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
