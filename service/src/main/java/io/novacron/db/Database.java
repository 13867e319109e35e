package io.novacron.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.novacron.config.ConfigException;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.config.ServiceConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool and the schema. {@link #open} creates the configured database when it does
 * not exist yet, starts HikariCP and applies the Flyway migrations in {@code db/migration}.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private volatile boolean migrated;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /** Creates the database if needed, opens the pool and migrates the schema. */
    public static Database open(ServiceConfig.Database cfg, MeterRegistry metrics) {
        createDatabaseIfMissing(cfg);
        HikariConfig hc = poolConfig(cfg);
        hc.setMetricRegistry(metrics); // hikaricp_connections_{active,idle,pending,timeout_total,...}
        Database db = new Database(new HikariDataSource(hc));
        db.migrate(cfg);
        return db;
    }

    /**
     * Opens the pool on a database some service already migrated, leaving its schema as it is: a
     * client of that service (the benchmark measuring a running instance, maybe an older version
     * in an A/B run) must not migrate it to its own version.
     */
    public static Database attach(ServiceConfig.Database cfg, MeterRegistry metrics) {
        HikariConfig hc = poolConfig(cfg);
        hc.setMetricRegistry(metrics);
        return new Database(new HikariDataSource(hc));
    }

    /**
     * For a maintenance transaction (compaction, retention): a statement timeout of {@code timeout}
     * for this transaction, and a socket timeout past it. The pool's socket timeout is sized for
     * requests (statement timeout + 5 s) and would cut a long statement off client-side whatever
     * its own timeout: on a large load, hour builds of the 5-minute tier ran past 20 s, failed
     * there, and the tiers fell 12 hours behind. HikariCP restores the network timeout when the
     * connection goes back to the pool.
     */
    public static void allowLongStatements(Connection c, Duration timeout) throws SQLException {
        c.setNetworkTimeout(Runnable::run, Math.toIntExact(timeout.plusSeconds(30).toMillis()));
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL statement_timeout = " + timeout.toMillis());
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    public HikariDataSource pool() {
        return pool;
    }

    /** True once this process has seen the schema fully migrated. */
    public boolean migrated() {
        return migrated;
    }

    /**
     * On a connection of its own, not the pool's: the pool's statement and socket timeouts are
     * sized for requests, and a migration that builds an index over an existing large table (V29:
     * about a minute on `large`) would be cancelled by them and leave the service unable to start.
     */
    private void migrate(ServiceConfig.Database cfg) {
        var result = Flyway.configure()
                .dataSource(cfg.url(), cfg.user(), cfg.password())
                .locations("classpath:db/migration")
                .load()
                .migrate();
        migrated = true;
        if (result.migrationsExecuted > 0) {
            log.info("schema migrated to version {} ({} migrations applied)", result.targetSchemaVersion, result.migrationsExecuted);
        } else {
            log.info("schema is up to date");
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    static HikariConfig poolConfig(ServiceConfig.Database cfg) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("novacron");
        hc.setJdbcUrl(cfg.url());
        hc.setUsername(cfg.user());
        hc.setPassword(cfg.password());
        hc.setMaximumPoolSize(cfg.poolSize());
        hc.setMinimumIdle(cfg.poolSize());
        hc.setConnectionTimeout(cfg.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.min(1000, cfg.connectionTimeout().toMillis() / 2));
        // Fail start-up at once when the database is unreachable; later outages are survived.
        hc.setInitializationFailTimeout(cfg.connectionTimeout().toMillis());
        long statementMs = cfg.statementTimeout().toMillis();
        // No parallel plans and no JIT for the service's statements: they touch a page's worth of rows.
        // On the large dataset starting workers took 28-35 of a 1 ms monitoring query's 30 ms
        // (docs/explain), and JIT compiles for tens of ms whenever an estimate crosses jit_above_cost.
        hc.addDataSourceProperty("options", "-c statement_timeout=" + statementMs + " -c TimeZone=UTC"
                + " -c max_parallel_workers_per_gather=0 -c jit=off");
        // A vanished server must not hang a request past the statement timeout: the socket gives up too.
        hc.addDataSourceProperty("socketTimeout", Long.toString(statementMs / 1000 + 5));
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, cfg.connectionTimeout().toSeconds())));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("ApplicationName", "novacron");
        // Every statement here is parameterized and reused: let pgjdbc prepare server-side at once.
        hc.addDataSourceProperty("prepareThreshold", "1");
        return hc;
    }

    private static void createDatabaseIfMissing(ServiceConfig.Database cfg) {
        String name = cfg.databaseName();
        Properties props = new Properties();
        props.setProperty("user", cfg.user());
        props.setProperty("password", cfg.password());
        props.setProperty("connectTimeout", Long.toString(Math.max(1, cfg.connectionTimeout().toSeconds())));
        try (Connection c = DriverManager.getConnection(cfg.maintenanceUrl(), props)) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
            }
            try (var st = c.createStatement()) {
                // Identifiers cannot be bound as parameters; quote it as an identifier instead.
                st.execute("CREATE DATABASE " + quoteIdentifier(name));
                log.info("created database {}", name);
            } catch (SQLException e) {
                if (!SqlStates.DUPLICATE_DATABASE.equals(e.getSQLState())) { // created meanwhile by another process
                    throw e;
                }
            }
        } catch (SQLException e) {
            throw new ConfigException("cannot reach PostgreSQL at " + cfg.maintenanceUrl() + " as " + cfg.user()
                    + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
