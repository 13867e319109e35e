package io.novacron.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.config.ServiceConfig;
import io.novacron.support.FreshDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A migration that builds an index over an existing fleet runs as long as it needs: the service's
 * statement timeout is for requests. Here a database at V28 with 10,000 VMs is opened by a service
 * whose statement timeout is 100 ms, and V29 builds its trigram index over them (several hundred
 * ms); with the pool's timeout on the migration's connection, the service could not start.
 */
class MigrationTimeoutTest {
    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase(MigrationTimeoutTest.class);

    @Test
    void aLongMigrationIsNotCutByTheRequestStatementTimeout() throws Exception {
        ServiceConfig.Database d = fresh.config().db();
        try (Database created = Database.open(d, new SimpleMeterRegistry())) {
            // Only to create the database; start over from V28 below.
        }
        try (Connection c = fresh.connect(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
        }
        Flyway.configure().dataSource(d.url(), d.user(), d.password()).target("28").load().migrate();
        try (Connection c = fresh.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO org (name) VALUES ('o')");
            st.execute("INSERT INTO app_user (org_id, email, name, role) SELECT id, 'a@o.test', 'a', 'admin' FROM org");
            st.execute("""
                    INSERT INTO vm (org_id, owner_id, name, state, cpu_cores, memory_mb, disk_gb)
                    SELECT u.org_id, u.id, 'ledger-api-prod-' || g, 'stopped', 1, 1024, 10
                      FROM app_user u, generate_series(1, 10000) g""");
        }

        var timeout = new ServiceConfig.Database(d.url(), d.user(), d.password(), 2, d.connectionTimeout(), Duration.ofMillis(100));
        try (Database db = Database.open(timeout, new SimpleMeterRegistry())) {
            assertThat(db.dataSource()).isNotNull();
        }
        // Checked on a connection of its own: the pool's 100 ms cap is for the migrations, not this
        // catalog query, which a busy machine can make slower than that.
        try (Connection c = fresh.connect();
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_indexes WHERE indexname = 'vm_name_grams_idx'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }
}
