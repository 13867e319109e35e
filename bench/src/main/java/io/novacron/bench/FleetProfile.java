package io.novacron.bench;

import io.novacron.config.ConfigException;
import io.novacron.web.Tokens;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What the workloads need to know about the loaded fleet to draw realistic parameters: the
 * organizations with their sizes (requests are weighted by size) and a bearer token for each,
 * the nodes and zones, the VMs that report samples and when the series end. Read from the
 * database once before the runs, so it works as well on a fleet loaded by an earlier run.
 */
public final class FleetProfile {
    public record Org(long id, long vms, String token) {
    }

    public record MetricVm(long orgId, long vmId) {
    }

    public record Node(long id, String zone) {
    }

    private final List<Org> orgs;
    private final long[] cumulativeVms;
    private final List<Node> nodes;
    private final List<MetricVm> metricVms;
    private final Instant seriesEnd;

    FleetProfile(List<Org> orgs, List<Node> nodes, List<MetricVm> metricVms, Instant seriesEnd) {
        if (orgs.isEmpty() || nodes.isEmpty()) {
            throw new ConfigException("the database holds no fleet: load a dataset first (seed, or bench without --skip-load)");
        }
        this.orgs = List.copyOf(orgs);
        this.nodes = List.copyOf(nodes);
        this.metricVms = List.copyOf(metricVms);
        this.seriesEnd = seriesEnd;
        this.cumulativeVms = new long[orgs.size()];
        long sum = 0;
        for (int i = 0; i < orgs.size(); i++) {
            sum += Math.max(1, orgs.get(i).vms());
            cumulativeVms[i] = sum;
        }
    }

    /**
     * Reads the fleet and creates one {@code operator} token per organization (inserted by hash,
     * as the token API stores it), so org-scoped reads go out as real tenants' requests.
     */
    public static FleetProfile read(Connection c, int maxMetricVms) throws SQLException {
        Map<Long, Long> sizes = new HashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT org_id, count(*) FROM vm GROUP BY org_id")) {
            while (rs.next()) {
                sizes.put(rs.getLong(1), rs.getLong(2));
            }
        }
        List<Org> orgs = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM org ORDER BY id");
             PreparedStatement ins = c.prepareStatement(
                     "INSERT INTO api_token (org_id, name, role, token_hash) VALUES (?, 'bench', 'operator', ?)")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                String token = Tokens.generate();
                ins.setLong(1, id);
                ins.setBytes(2, Tokens.hash(token));
                ins.addBatch();
                orgs.add(new Org(id, sizes.getOrDefault(id, 0L), token));
            }
            ins.executeBatch();
        }
        List<Node> nodes = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id, zone FROM node ORDER BY id")) {
            while (rs.next()) {
                nodes.add(new Node(rs.getLong(1), rs.getString(2)));
            }
        }
        List<MetricVm> vms = new ArrayList<>();
        Instant end = Instant.now();
        try (PreparedStatement ps = c.prepareStatement("SELECT org_id, vm_id FROM vm_latest ORDER BY vm_id LIMIT ?")) {
            ps.setInt(1, maxMetricVms);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    vms.add(new MetricVm(rs.getLong(1), rs.getLong(2)));
                }
            }
        }
        // The dataset's last step: the latest sample time most series share. (max(ts) would be a
        // sample of an earlier run's freshness trials, written at its own "now", with seconds.)
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT ts FROM vm_latest GROUP BY ts ORDER BY count(*) DESC, ts DESC LIMIT 1")) {
            if (rs.next() && rs.getTimestamp(1) != null) {
                end = rs.getTimestamp(1).toInstant();
            }
        }
        return new FleetProfile(orgs, nodes, vms, end);
    }

    /** An organization drawn with probability proportional to its VM count. */
    public Org orgBySize(SplittableRandom r) {
        long x = r.nextLong(cumulativeVms[cumulativeVms.length - 1]);
        int lo = 0, hi = cumulativeVms.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulativeVms[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return orgs.get(lo);
    }

    public Org org(long id) {
        return orgs.stream().filter(o -> o.id() == id).findFirst().orElseThrow();
    }

    public List<Org> orgs() {
        return orgs;
    }

    public Node node(SplittableRandom r) {
        return nodes.get(r.nextInt(nodes.size()));
    }

    public boolean hasMetrics() {
        return !metricVms.isEmpty();
    }

    public MetricVm metricVm(SplittableRandom r) {
        return metricVms.get(r.nextInt(metricVms.size()));
    }

    public Instant seriesEnd() {
        return seriesEnd;
    }
}
