package io.novacron.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.novacron.config.ServiceConfig;
import io.novacron.support.FreshDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A maintenance transaction may run statements far longer than a request's: the pool's socket
 * timeout (statement timeout + 5 s) must not cut them off. A pool with a 1 s statement timeout
 * has a 6 s socket timeout; the statements here sleep 8 s.
 */
class LongStatementsTest {
    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase(LongStatementsTest.class);
    static Database db;
    static Tx tx;

    @BeforeAll
    static void open() {
        ServiceConfig.Database d = fresh.config().db();
        db = Database.open(new ServiceConfig.Database(d.url(), d.user(), d.password(), 2, d.connectionTimeout(), Duration.ofSeconds(1)),
                new SimpleMeterRegistry());
        tx = new Tx(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @Test
    void aLongerStatementTimeoutAloneIsCutOffByTheSocketTimeout() {
        assertThatThrownBy(() -> tx.inTransaction(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL statement_timeout = '1min'");
                st.execute("SELECT pg_sleep(8)");
            }
            return null;
        })).isInstanceOf(DbException.class).hasMessageContaining("I/O error");
    }

    @Test
    void allowLongStatementsLetsTheStatementFinishAndThePoolRestoresTheSocketTimeout() throws Exception {
        boolean done = tx.inTransaction(c -> {
            Database.allowLongStatements(c, Duration.ofMinutes(1));
            try (Statement st = c.createStatement()) {
                return st.execute("SELECT pg_sleep(8)");
            }
        });
        assertThat(done).isTrue();
        for (int i = 0; i < 2; i++) { // both pooled connections: the one used above is back at the default
            try (Connection c = db.dataSource().getConnection()) {
                assertThat(c.getNetworkTimeout()).isEqualTo(6_000);
            }
        }
    }
}
