package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WorkloadsTest {
    static final FleetProfile FLEET = new FleetProfile(
            List.of(new FleetProfile.Org(1, 800, "tok1"), new FleetProfile.Org(2, 150, "tok2"), new FleetProfile.Org(3, 50, "tok3")),
            List.of(new FleetProfile.Node(10, "eu-west-1a"), new FleetProfile.Node(11, "us-east-1a")),
            List.of(new FleetProfile.MetricVm(1, 100), new FleetProfile.MetricVm(2, 200)),
            Instant.parse("2026-11-29T12:00:00Z"));

    @Test
    void theSameSeedDrawsTheSameRequests() {
        Workloads w = new Workloads(FLEET);
        for (String name : Workloads.NAMES) {
            assertThat(draws(w, name, 7)).isEqualTo(draws(w, name, 7)).isNotEqualTo(draws(w, name, 8));
        }
    }

    @Test
    void organizationsAreDrawnByTheirSizeAndAskedWithTheirOwnToken() {
        Workloads w = new Workloads(FLEET);
        Map<Object, Integer> byOrg = new HashMap<>();
        for (Request r : draws(w, "monitoring", 1)) {
            if ("org_top50_cpu".equals(r.variant())) {
                byOrg.merge(r.params().get("org_id"), 1, Integer::sum);
                assertThat(r.token()).isEqualTo(FLEET.org((Long) r.params().get("org_id")).token());
            } else {
                assertThat(r.token()).isNull(); // node monitoring is the admin's
            }
        }
        assertThat(byOrg.get(1L)).isGreaterThan(byOrg.get(2L));
        assertThat(byOrg.get(2L)).isGreaterThan(byOrg.getOrDefault(3L, 0));
    }

    @Test
    void listingsReadOneToAHundredPagesWithEncodedParameters() {
        for (Request r : draws(new Workloads(FLEET), "vm_listing", 3)) {
            assertThat(r.pages()).isBetween(1, 100);
            assertThat(r.path()).startsWith("/api/v1/vms?org_id=").contains("&sort=").doesNotContain(" ");
            if (r.params().containsKey("tag")) {
                assertThat(r.path()).contains("tag=env%3A");
            }
        }
    }

    private static List<Request> draws(Workloads w, String name, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Request> out = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            out.add(w.draw(name, r));
        }
        return out;
    }
}
