package io.novacron.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.novacron.config.ServiceConfig;
import io.novacron.support.FreshDatabase;
import io.novacron.support.Http;
import io.novacron.support.TestApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The database becomes unreachable for the service (connections refused and existing ones
 * terminated) while the shared PostgreSQL server keeps running: requests get 503 + Retry-After,
 * /readyz says so, and the service recovers by itself once connections are allowed again.
 */
class DatabaseOutageTest {
    static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(500);
    @RegisterExtension
    static final TestApp service = new TestApp(DatabaseOutageTest.class, cfg -> {
        ServiceConfig.Database d = cfg.db();
        return cfg.withDb(new ServiceConfig.Database(d.url(), d.user(), d.password(), d.poolSize(), CONNECTION_TIMEOUT,
                d.statementTimeout()));
    });

    private static void execOnServer(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(FreshDatabase.SERVER + "postgres", FreshDatabase.USER, "");
             Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @Test
    void requestsGet503WithRetryAfterWhileTheDatabaseIsGoneAndTheServiceRecoversByItself() throws Exception {
        Fleet fleet = new Fleet(service);
        Fleet.Tenant t = fleet.tenant();
        String db = service.database().name();
        assertThat(t.http().get("/api/v1/users").status()).isEqualTo(200);
        try {
            execOnServer("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS false",
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "' AND pid <> pg_backend_pid()");
            for (Http h : new Http[] {t.http(), service.admin()}) {
                Http.Response r = h.get("/api/v1/orgs");
                assertThat(r.status()).as(r.toString()).isEqualTo(503);
                assertThat(r.errorCode()).isEqualTo("unavailable");
                assertThat(r.header("Retry-After")).isNotBlank();
            }
            Http.Response write = service.admin().post("/api/v1/orgs", Map.of("name", "during-outage"));
            assertThat(write.status()).isEqualTo(503);
            Http.Response ready = service.anonymous().get("/readyz");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.header("Retry-After")).isNotBlank();
        } finally {
            execOnServer("ALTER DATABASE \"" + db + "\" ALLOW_CONNECTIONS true");
        }
        boolean recovered = false;
        for (int i = 0; i < 80 && !recovered; i++) {
            recovered = service.anonymous().get("/readyz").status() == 200 && t.http().get("/api/v1/users").status() == 200;
            if (!recovered) {
                Thread.sleep(250);
            }
        }
        assertThat(recovered).as("ready and answering again within ~20 s").isTrue();
        assertThat(service.admin().get("/api/v1/orgs").json().path("items").findValuesAsText("name")).doesNotContain("during-outage");
    }
}
