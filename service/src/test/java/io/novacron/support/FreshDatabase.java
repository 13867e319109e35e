package io.novacron.support;

import io.novacron.config.ServiceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives each test class its own new PostgreSQL database on the local server, named after the class
 * plus a random suffix, and drops it after the class. Use as a static {@code @RegisterExtension}.
 * The schema is created by the service itself (Flyway) when a test opens it.
 */
public final class FreshDatabase implements AfterAllCallback {
    public static final String SERVER = System.getenv().getOrDefault("NOVACRON_TEST_DB_SERVER", "jdbc:postgresql://127.0.0.1:5432/");
    public static final String USER = System.getenv().getOrDefault("NOVACRON_TEST_DB_USER", "postgres");

    private final String name;

    public FreshDatabase(Class<?> owner) {
        this.name = ("t_" + owner.getSimpleName() + "_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16))
                .toLowerCase(Locale.ROOT);
    }

    public String name() {
        return name;
    }

    public String url() {
        return SERVER + name;
    }

    /** Service configuration pointing at this database (created on first open), with an admin token. */
    public ServiceConfig config() {
        return ServiceConfig.from(Map.of(
                "NOVACRON_DB_URL", url(),
                "NOVACRON_DB_USER", USER,
                "NOVACRON_PORT", "0",
                "NOVACRON_ADMIN_TOKEN", TestApp.ADMIN_TOKEN,
                "NOVACRON_DB_POOL_SIZE", "6",
                // Packing moves raw rows into blocks in the background: tests that check raw rows
                // or pack drive an io.novacron.metrics.block.HistoryPacker themselves.
                "NOVACRON_PACK_AFTER_MINUTES", "0"));
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, "");
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, "");
             var st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
        }
    }
}
