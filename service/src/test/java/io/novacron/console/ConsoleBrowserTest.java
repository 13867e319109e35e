package io.novacron.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.novacron.cache.TcpProxy;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The web console in headless Chromium against the real service: sign-in, every view, a filter,
 * cursor paging, a chart's window change, live updates after API writes, the admin's views and
 * tenant isolation. Every step fails on any error in the browser's console. One browser for the
 * class; the steps run in order and share its session.
 *
 * <p>Screenshots of each view: {@code mvn -B -pl service test -Dtest=ConsoleBrowserTest
 * -Dconsole.screenshots=$PWD/docs/console} from the repository root.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    @RegisterExtension
    static final TestApp service = new TestApp(ConsoleBrowserTest.class);

    static final int ACME_VMS = 27;
    static final int ACME_STOPPED = 7;
    /** The browser reaches the service through this, so the last step can make the service vanish. */
    static TcpProxy proxy;
    static Browser browser;
    static String acmeToken;
    static String globexToken;
    static final List<Long> acmeVms = new ArrayList<>();
    static long staleVm;
    static long chartedVm;

    @BeforeAll
    static void fleet() throws IOException {
        Http admin = service.admin();
        long acme = admin.post("/api/v1/orgs", Map.of("name", "acme")).json().get("id").asLong();
        long globex = admin.post("/api/v1/orgs", Map.of("name", "globex")).json().get("id").asLong();
        acmeToken = admin.post("/api/v1/orgs/" + acme + "/tokens", Map.of("name", "console")).json().get("token").asText();
        globexToken = admin.post("/api/v1/orgs/" + globex + "/tokens", Map.of("name", "console")).json().get("token").asText();
        long bigNode = node(admin, "hv-big", 64);
        long smallNode = node(admin, "hv-small", 16);

        Http a = service.as(acmeToken);
        long owner = a.post("/api/v1/users", Map.of("email", "ops@acme.example", "name", "Ops", "role", "admin")).json().get("id").asLong();
        for (int i = 1; i <= ACME_VMS; i++) {
            JsonNode vm = a.post("/api/v1/vms", Map.of("name", String.format("acme-%02d", i), "owner_id", owner,
                    "cpu_cores", 1 + i % 2, "memory_mb", 2048, "disk_gb", 20,
                    "metadata", Map.of("tags", List.of(i % 2 == 0 ? "env:prod" : "env:dev")))).json();
            long id = vm.get("id").asLong();
            acmeVms.add(id);
            if (i <= ACME_VMS - ACME_STOPPED) {
                assertThat(a.post("/api/v1/vms/" + id + "/actions/start", null).status()).isEqualTo(200);
            }
        }
        for (long id : acmeVms.subList(ACME_VMS - ACME_STOPPED, ACME_VMS)) {
            a.post("/api/v1/vms/" + id + "/actions/start", null);
            assertThat(a.post("/api/v1/vms/" + id + "/actions/stop", null).status()).isEqualTo(200);
        }
        Http g = service.as(globexToken);
        long gOwner = g.post("/api/v1/users", Map.of("email", "ops@globex.example", "name", "Ops", "role", "admin")).json().get("id").asLong();
        for (int i = 1; i <= 3; i++) {
            g.post("/api/v1/vms", Map.of("name", "globex-secret-" + i, "owner_id", gOwner, "cpu_cores", 1, "memory_mb", 1024, "disk_gb", 10));
        }

        // Three hours of one-a-minute samples for the charted VM, a current sample for the other
        // running ones, and one VM whose last sample is 10 minutes old (stale at the 60 s interval).
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        chartedVm = acmeVms.get(0);
        staleVm = acmeVms.get(1);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (int m = 180; m >= 1; m--) {
            samples.add(vmSample(chartedVm, now.minus(m, ChronoUnit.MINUTES), 40 + 30 * Math.sin(m / 20.0)));
        }
        samples.add(vmSample(staleVm, now.minus(10, ChronoUnit.MINUTES), 20));
        for (long id : acmeVms.subList(2, ACME_VMS - ACME_STOPPED)) {
            samples.add(vmSample(id, now, 5 + id % 50));
        }
        assertThat(a.post("/api/v1/metrics/vms", Map.of("samples", samples)).status()).isEqualTo(202);
        List<Map<String, Object>> nodeSamples = new ArrayList<>();
        for (long node : List.of(bigNode, smallNode)) {
            nodeSamples.add(Map.of("node_id", node, "ts", now.toString(), "cpu_usage", 30 + node, "memory_usage", 50,
                    "disk_usage", 40, "load_1m", 3.5, "net_rx_bps", 1e6, "net_tx_bps", 2e6));
        }
        assertThat(admin.post("/api/v1/metrics/nodes", Map.of("samples", nodeSamples)).status()).isEqualTo(202);
        proxy = new TcpProxy(service.app().port());
        browser = new Browser("http://127.0.0.1:" + proxy.port());
    }

    static long node(Http admin, String name, int cores) {
        return admin.post("/api/v1/nodes", Map.of("name", name, "zone", "eu-west-1a", "cpu_cores", cores,
                "memory_mb", 262144, "disk_gb", 4000)).json().get("id").asLong();
    }

    static Map<String, Object> vmSample(long vm, Instant ts, double cpu) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("vm_id", vm);
        s.put("ts", ts.toString());
        s.put("cpu_usage", Math.max(0, Math.min(100, cpu)));
        s.put("memory_usage", 45.5);
        s.put("disk_read_bps", 1_500_000);
        s.put("disk_write_bps", 700_000);
        s.put("net_rx_bps", 12_000_000);
        s.put("net_tx_bps", 9_000_000);
        return s;
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @AfterEach
    void noConsoleErrors() {
        assertThat(browser.consoleErrors()).as("browser console errors").isEmpty();
    }

    @Test
    @Order(1)
    void signingInWithAnOrganizationTokenOpensItsDashboard() {
        browser.open("/");
        browser.find("input[name=token]").sendKeys(acmeToken);
        browser.find("form.signin button[type=submit]").click();
        browser.until(d -> browser.find("[data-testid=vm-total]").getText().equals(String.valueOf(ACME_VMS)));
        assertThat(browser.find("dd[data-state=stopped]").getText()).isEqualTo(String.valueOf(ACME_STOPPED));
        assertThat(browser.find("#who-label").getText()).contains("acme");
        browser.until(d -> browser.find("#status").getText().equals("Live"));
        assertThat(browser.all("#nav a[data-view=capacity]").get(0).isDisplayed()).as("admin-only view hidden").isFalse();
        assertThat((String) browser.driver.executeScript("return location.href")).doesNotContain(acmeToken);
        browser.screenshot("dashboard");
    }

    @Test
    @Order(2)
    void theVmListFiltersByStateAndPagesWithTheCursor() {
        browser.go("#/vms?limit=10&sort=name");
        browser.until(d -> browser.firstColumn("#vm-table").size() == 10);
        List<String> first = browser.firstColumn("#vm-table");
        assertThat(first).startsWith("acme-01", "acme-02");
        browser.find(".pager button.next").click();
        browser.until(d -> browser.firstColumn("#vm-table").contains("acme-11"));
        assertThat(browser.firstColumn("#vm-table")).hasSize(10).doesNotContainAnyElementsOf(first);
        browser.find(".pager button.next").click();
        browser.until(d -> browser.firstColumn("#vm-table").size() == ACME_VMS - 20);
        assertThat(browser.all(".pager button.next")).isEmpty();

        browser.find("input[name=state][value=stopped]").click();
        browser.find("form.filters button[type=submit]").click();
        browser.until(d -> browser.firstColumn("#vm-table").size() == ACME_STOPPED);
        for (WebElement row : browser.all("#vm-table tbody tr")) {
            assertThat(row.findElements(By.tagName("td")).get(1).getText()).isEqualTo("stopped");
        }
        browser.go("#/vms?limit=25&sort=name");
        browser.until(d -> browser.firstColumn("#vm-table").size() == 25);
        browser.screenshot("vms");
    }

    @Test
    @Order(3)
    void monitoringListsTheBusiestVmsAndMarksStaleSeries() {
        browser.go("#/monitoring");
        WebElement table = browser.find("#monitoring-vms");
        browser.until(d -> !browser.firstColumn("#monitoring-vms").isEmpty());
        String staleName = String.format("acme-%02d", 2);
        WebElement staleRow = browser.until(d -> table.findElements(By.cssSelector("tbody tr")).stream()
                .filter(r -> r.getText().startsWith(staleName)).findFirst().orElse(null));
        assertThat(staleRow.findElements(By.cssSelector(".badge.stale"))).hasSize(1);
        assertThat(browser.all("#monitoring-nodes")).as("node monitoring is the admin's").isEmpty();
        browser.screenshot("monitoring");
    }

    @Test
    @Order(4)
    void aChartRedrawsWhenItsWindowChanges() {
        browser.go("#/charts?scope=vm&id=" + chartedVm + "&window=6h&agg=avg&agg=max");
        WebElement figure = browser.find("figure.chart");
        browser.until(d -> figure.getAttribute("data-points") != null && Integer.parseInt(figure.getAttribute("data-points")) > 0);
        browser.find("figure.chart canvas");
        assertThat(browser.find("#chart-caption").getText()).contains("last 6 hours");
        browser.screenshot("charts");

        new Select(browser.find("select[name=window]")).selectByValue("1h");
        browser.until(d -> browser.find("#chart-caption").getText().contains("last 1 hour"));
        WebElement redrawn = browser.find("figure.chart");
        browser.until(d -> redrawn.getAttribute("data-points") != null);
        int points = Integer.parseInt(redrawn.getAttribute("data-points"));
        assertThat(points).isBetween(1, 61);
        new Select(browser.find("select[name=step]")).selectByValue("5m");
        browser.until(d -> "5m".equals(browser.find("figure.chart").getAttribute("data-step")));
        assertThat((String) browser.driver.executeScript("return location.hash")).contains("window=1h").contains("step=5m");
    }

    @Test
    @Order(5)
    void writesThroughTheApiShowWithoutAReload() {
        Http a = service.as(acmeToken);
        browser.go("#/dashboard");
        browser.until(d -> browser.find("dd[data-state=stopped]").getText().equals(String.valueOf(ACME_STOPPED)));
        assertThat(a.post("/api/v1/vms/" + acmeVms.get(5) + "/actions/stop", null).status()).isEqualTo(200);
        long written = System.nanoTime();
        browser.until(d -> browser.find("dd[data-state=stopped]").getText().equals(String.valueOf(ACME_STOPPED + 1)));
        // Reported, not asserted (no timing assertions): the 1 s poll plus this wait's 100 ms polling bound it.
        System.out.printf("console: state change visible %d ms after the write%n", (System.nanoTime() - written) / 1_000_000);

        browser.go("#/monitoring");
        browser.until(d -> !browser.firstColumn("#monitoring-vms").isEmpty());
        String hot = String.format("acme-%02d", 4);
        assertThat(browser.firstColumn("#monitoring-vms").get(0)).isNotEqualTo(hot);
        assertThat(a.post("/api/v1/metrics/vms", Map.of("samples", List.of(vmSample(acmeVms.get(3), Instant.now(), 99.5)))).status())
                .isEqualTo(202);
        written = System.nanoTime();
        browser.until(d -> browser.firstColumn("#monitoring-vms").get(0).equals(hot));
        System.out.printf("console: new sample visible %d ms after the write%n", (System.nanoTime() - written) / 1_000_000);
    }

    @Test
    @Order(6)
    void anotherOrganizationsTokenSeesNoneOfTheFirstOnesData() {
        browser.find("#sign-out").click();
        browser.find("input[name=token]").sendKeys(globexToken);
        browser.find("form.signin button[type=submit]").click();
        browser.until(d -> browser.find("[data-testid=vm-total]").getText().equals("3"));
        browser.go("#/vms");
        browser.until(d -> browser.firstColumn("#vm-table").size() == 3);
        assertThat(browser.firstColumn("#vm-table")).allMatch(n -> n.startsWith("globex-secret-"));
        browser.go("#/monitoring");
        browser.find("#monitoring-vms");
        browser.go("#/charts?scope=vm&id=" + chartedVm);
        browser.until(d -> browser.find("p.error").getText().contains("not_found"));
        assertThat(browser.driver.getPageSource()).doesNotContain("acme");
        // The refused read is the one expected failure in the console: a 404 for the foreign VM.
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("/api/v1/metrics/query") && e.contains("404"));
        browser.go("#/dashboard");
        browser.find("[data-testid=vm-total]");
        browser.consoleErrors(); // the polls of the refused chart that were in flight
    }

    @Test
    @Order(7)
    void theAdminSeesThePlatformCapacityNodeMonitoringAndDatabaseHealth() {
        browser.find("#sign-out").click();
        browser.find("input[name=token]").sendKeys(TestApp.ADMIN_TOKEN);
        browser.find("form.signin button[type=submit]").click();
        browser.until(d -> browser.firstColumn("#org-table").containsAll(List.of(
                String.valueOf(service.admin().get("/api/v1/orgs").json().path("items").get(0).get("id").asLong()))));
        assertThat(browser.find("[data-testid=platform-vms]").getText()).isEqualTo(String.valueOf(ACME_VMS + 3));
        assertThat(browser.find("#org-table").getText()).contains("acme", "globex");
        browser.screenshot("platform");

        browser.go("#/capacity");
        browser.until(d -> browser.firstColumn("#capacity-table").size() == 2);
        assertThat(browser.all("#capacity-table .bar .fill")).hasSize(6);
        browser.screenshot("capacity");
        browser.find("input[name=fits_cpu]").sendKeys("20");
        browser.find("form.filters button[type=submit]").click();
        browser.until(d -> browser.firstColumn("#capacity-table").equals(List.of("hv-big")));

        browser.go("#/monitoring");
        browser.until(d -> browser.firstColumn("#monitoring-nodes").size() == 2);

        browser.go("#/charts");
        WebElement nodeChart = browser.find("figure.chart");
        browser.until(d -> nodeChart.getAttribute("data-points") != null);
        assertThat(browser.find("#chart-caption").getText()).startsWith("cpu_usage of node ");

        browser.go("#/db");
        browser.find("section.health");
        assertThat(browser.all("section.health").size()).isGreaterThan(3);
        browser.screenshot("db-health");

        browser.go("#/platform");
        browser.find("button[data-org=acme]").click();
        browser.until(d -> browser.find("[data-testid=vm-total]").getText().equals(String.valueOf(ACME_VMS)));
        browser.go("#/vms");
        browser.until(d -> !browser.firstColumn("#vm-table").isEmpty());
        assertThat(browser.firstColumn("#vm-table")).allMatch(n -> n.startsWith("acme-"));
    }

    @Test
    @Order(8)
    void whenTheServiceCannotBeReachedTheConsoleSaysSoAndKeepsItsData() {
        browser.go("#/dashboard");
        browser.until(d -> browser.find("#status").getText().equals("Live"));
        proxy.kill();
        browser.until(d -> browser.find("#status").getText().contains("unreachable"));
        assertThat(browser.find("[data-testid=vm-total]").getText()).isEqualTo(String.valueOf(ACME_VMS));
        assertThat(browser.find("#status-bar").getAttribute("class")).contains("bad");
        browser.driver.get("about:blank"); // stop polling
        // The failed polls are the expected errors here.
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("net::ERR_CONNECTION") || e.contains("Failed to fetch"));
    }
}
