package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetGeneratorTest {
    static final Instant ANCHOR = Instant.parse("2026-11-29T12:00:00Z");

    static FleetGenerator gen(Dataset d, long seed) {
        return new FleetGenerator(d, seed, ANCHOR, Fleet.IdBase.ZERO);
    }

    static List<Object> allRows(FleetGenerator g) {
        List<Object> rows = new ArrayList<>();
        g.orgs(rows::add);
        g.users(rows::add);
        g.nodes(rows::add);
        g.vms(rows::add);
        return rows;
    }

    @Test
    void theSameSeedGivesTheSameRowsAndADifferentSeedDifferentOnes() {
        assertThat(allRows(gen(Dataset.SMALL, 42))).isEqualTo(allRows(gen(Dataset.SMALL, 42)));
        assertThat(allRows(gen(Dataset.SMALL, 43))).isNotEqualTo(allRows(gen(Dataset.SMALL, 42)));
        SampleGenerator a = new SampleGenerator(42, ANCHOR.toEpochMilli(), 1440, 60);
        SampleGenerator b = new SampleGenerator(43, ANCHOR.toEpochMilli(), 1440, 60);
        assertThat(a.vm(7, 100)).isEqualTo(new SampleGenerator(42, ANCHOR.toEpochMilli(), 1440, 60).vm(7, 100));
        assertThat(a.node(3, 5)).isEqualTo(new SampleGenerator(42, ANCHOR.toEpochMilli(), 1440, 60).node(3, 5));
        assertThat(a.vm(7, 100)).isNotEqualTo(b.vm(7, 100));
    }

    @Test
    void anyPartRegeneratesAloneWithTheSameRows() {
        FleetGenerator g = gen(Dataset.SMALL, 42);
        List<Fleet.Vm> vmsOnly = new ArrayList<>();
        g.vms(vmsOnly::add);
        List<Object> all = allRows(gen(Dataset.SMALL, 42));
        assertThat(all.subList(all.size() - vmsOnly.size(), all.size())).isEqualTo(new ArrayList<Object>(vmsOnly));
    }

    @Test
    void orgSizesFollowAZipfLawWithTheLargestHoldingAboutTenPercent() {
        int[] sizes = gen(Dataset.MEDIUM, 42).orgSizes();
        assertThat(Arrays.stream(sizes).sum()).isEqualTo(Dataset.MEDIUM.vms());
        assertThat((double) sizes[0] / Dataset.MEDIUM.vms()).isCloseTo(0.10, within(0.01));
        for (int i = 1; i < sizes.length; i++) {
            assertThat(sizes[i]).isLessThanOrEqualTo(sizes[i - 1]).isPositive();
        }
        assertThat(sizes[sizes.length - 1]).isLessThan(sizes[0] / 20);
    }

    @Test
    void statesFollowTheMixAndNodesAreNeverOvercommitted() {
        FleetGenerator g = gen(Dataset.MEDIUM, 7);
        Map<Long, Fleet.Node> nodes = new HashMap<>();
        g.nodes(n -> nodes.put(n.id(), n));
        Map<String, Integer> states = new HashMap<>();
        Map<Long, long[]> alloc = new HashMap<>();
        Set<String> tags = new HashSet<>();
        g.vms(v -> {
            states.merge(v.state(), 1, Integer::sum);
            tags.addAll(v.tags());
            assertThat(v.cpuCores()).isBetween(1, 64);
            assertThat(v.memoryMb()).isBetween(1024L, 256L * 1024);
            if (Fleet.holdsResources(v.state())) {
                assertThat(v.nodeId()).isPositive();
                long[] a = alloc.computeIfAbsent(v.nodeId(), k -> new long[3]);
                a[0] += v.cpuCores();
                a[1] += v.memoryMb();
                a[2] += v.diskGb();
            }
        });
        double n = Dataset.MEDIUM.vms();
        double[] expected = {0.70, 0.15, 0.05, 0.03, 0.02, 0.05};
        for (int i = 0; i < expected.length; i++) {
            assertThat(states.getOrDefault(FleetGenerator.STATES[i], 0) / n).as(FleetGenerator.STATES[i])
                    .isCloseTo(expected[i], within(0.01));
        }
        long full = 0;
        for (var e : alloc.entrySet()) {
            Fleet.Node node = nodes.get(e.getKey());
            assertThat(node.state()).isEqualTo("online");
            assertThat(e.getValue()[0]).isLessThanOrEqualTo(node.cpuCores());
            assertThat(e.getValue()[1]).isLessThanOrEqualTo(node.memoryMb());
            assertThat(e.getValue()[2]).isLessThanOrEqualTo(node.diskGb());
            if (e.getValue()[0] > 0.9 * node.cpuCores() || e.getValue()[1] > 0.9 * node.memoryMb()) {
                full++;
            }
        }
        assertThat(full).as("nodes filled close to a limit").isGreaterThan(nodes.size() / 10);
        assertThat(tags.size()).as("distinct tag values").isBetween(200, 400);
    }

    @Test
    void everySampleIsDeliveredWithAFewLateAndAFewTwice() {
        Dataset d = new Dataset("t", 5, 10, 10, 1_000, 1_000, 6, 60);
        FleetGenerator g = gen(d, 42);
        BitSet seen = new BitSet();
        long[] copies = {0}, late = {0};
        int[] maxStep = {-1};
        new SampleStream(g).deliver(new SampleStream.Sink() {
            @Override
            public void vm(long vmId, int step) {
                int idx = (int) (vmId - 1) * d.steps() + step;
                if (seen.get(idx)) {
                    copies[0]++;
                }
                seen.set(idx);
                if (step < maxStep[0]) {
                    late[0]++;
                }
                maxStep[0] = Math.max(maxStep[0], step);
            }

            @Override
            public void node(long nodeId, int step) {
            }
        });
        long total = d.vmSamples();
        assertThat(seen.cardinality()).isEqualTo((int) total);
        assertThat((double) copies[0] / total).isCloseTo(0.001, within(0.0005));
        assertThat((double) late[0] / total).isCloseTo(0.006, within(0.002));
    }
}
