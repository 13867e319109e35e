package io.novacron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.support.TestApp;
import java.io.OutputStream;
import java.io.PrintStream;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** wrk against the real service on a tiny loaded dataset: answers and figures, not timings. */
class WrkRunTest {
    @RegisterExtension
    static final TestApp service = new TestApp(WrkRunTest.class);

    static final Dataset TINY = new Dataset("tiny", 3, 6, 4, 60, 20, 1, 60);
    static Workloads workloads;

    @BeforeAll
    static void load() throws Exception {
        // CI installs wrk (.ci/run): a missing wrk is a broken machine, not a reason to skip.
        assertThat(WrkRun.executable()).as("wrk on the PATH (Debian package wrk)").isNotNull();
        new Seeder(service.app().config().db(), service.baseUrl(), TestApp.ADMIN_TOKEN, 1_000, 2,
                new PrintStream(OutputStream.nullOutputStream())).seed(TINY, 42);
        try (Connection c = service.database().connect()) {
            workloads = new Workloads(FleetProfile.read(c, 1_000));
        }
    }

    @Test
    void theFloorAndAReadWithOrgAndAdminTokensAreAnsweredWithoutErrors() throws Exception {
        WrkRun wrk = new WrkRun(service.baseUrl(), TestApp.ADMIN_TOKEN, workloads, Duration.ofSeconds(1));
        for (String w : new String[] {Workloads.HTTP_FLOOR, "dashboard"}) {
            WrkRun.Result r = wrk.run(w, 2, 42);
            assertThat(r.requests()).as(w).isPositive();
            assertThat(r.non2xx3xx()).as(w + ": answers with status >= 400").isZero();
            assertThat(r.socketErrors()).as(w).isZero();
            assertThat(r.requestsPerSecond()).as(w).isPositive();
            assertThat(r.p50()).as(w).isPositive().isLessThanOrEqualTo(r.p90());
            assertThat(r.p90()).as(w).isLessThanOrEqualTo(r.p99());
            assertThat(r.p99()).as(w).isLessThanOrEqualTo(r.p999());
            assertThat(r.p999()).as(w).isLessThanOrEqualTo(r.max());
        }
    }

    @Test
    void eachRequestCarriesItsOwnTokenSoAWrongAdminTokenFailsOnlyThePlatformDraws() throws Exception {
        // A fifth of the dashboard draws are the platform view, asked with the admin token; the rest use org tokens.
        WrkRun.Result r = new WrkRun(service.baseUrl(), "not-the-admin-token", workloads, Duration.ofSeconds(1)).run("dashboard", 1, 42);
        assertThat(r.non2xx3xx()).isPositive().isLessThan(r.requests());
        assertThat(r.socketErrors()).isZero();
    }

    @Test
    void luaStringsEscapeQuotesBackslashesControlAndNonAsciiBytes() {
        assertThat(WrkRun.luaString("/api/v1/vms?org_id=1&tag=env%3Aprod")).isEqualTo("\"/api/v1/vms?org_id=1&tag=env%3Aprod\"");
        assertThat(WrkRun.luaString("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        // Three digits always: the 1 after the newline stays a character of its own.
        assertThat(WrkRun.luaString("x\n1\r\t\0")).isEqualTo("\"x\\0101\\013\\009\\000\"");
        assertThat(WrkRun.luaString("é]]--")).isEqualTo("\"\\195\\169]]--\"");
        assertThat(WrkRun.luaString("\u007f")).isEqualTo("\"\\127\"");
    }
}
