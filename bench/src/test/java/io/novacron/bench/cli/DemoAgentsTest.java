package io.novacron.bench.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The demo's fleet, its history and its agents, through the real service's API. */
class DemoAgentsTest {
    @RegisterExtension
    static final TestApp service = new TestApp(DemoAgentsTest.class);

    @Test
    void theDemoFleetGetsItsHistoryOnceThenLiveSamplesAndStateChanges() throws Exception {
        Demo.Client admin = new Demo.Client(service.baseUrl(), TestApp.ADMIN_TOKEN);
        String orgToken = Demo.seed(admin);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Http org = service.as(orgToken);
        int vms = org.get("/api/v1/vms?limit=500").json().path("items").size();
        Instant now = Instant.now();
        String day = "&from=" + now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofDays(1)) + "&to=" + now;

        try (DemoAgents agents = new DemoAgents(admin, admin.as(orgToken), out)) {
            agents.seedHistory(1, now);
            assertThat(samples(org, day)).isEqualTo(vms * 1440L);
            agents.seedHistory(1, now);
            assertThat(samples(org, day)).as("history is seeded once").isEqualTo(vms * 1440L);

            agents.start(Duration.ofMillis(200), 2);
            awaitOutput(log, "demo agent: ");
            // History covers every VM up to the last whole minute; live samples come after it, for running VMs.
            long live = 0;
            for (JsonNode vm : org.get("/api/v1/monitoring/vms?state=running&limit=500").json().path("items")) {
                if (Instant.parse(vm.path("ts").asText()).isAfter(now.minusSeconds(1))) {
                    assertThat(vm.path("stale").asBoolean()).isFalse();
                    live++;
                }
            }
            assertThat(live).isPositive();
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("demo: seeded ", vms + " VMs and ");
    }

    private static long samples(Http org, String window) {
        long n = 0;
        for (JsonNode p : org.get("/api/v1/metrics/query?scope=org&metric=cpu_usage&agg=count&step=1h" + window).json()
                .path("series").get(0).path("points")) {
            n += p.get(1).asLong();
        }
        return n;
    }

    /** Waits for the agents to report a state change (bounded; a wait, not a timing assertion). */
    private static void awaitOutput(ByteArrayOutputStream log, String text) throws InterruptedException {
        for (int i = 0; i < 600 && !log.toString(StandardCharsets.UTF_8).contains(text); i++) {
            Thread.sleep(100);
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains(text);
    }
}
