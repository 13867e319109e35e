package io.novacron.app;

import io.novacron.config.ConfigException;
import io.novacron.config.ServiceConfig;
import io.novacron.db.Database;
import io.novacron.metrics.rollup.RollupCompactor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The command line: {@code serve}, {@code migrate}, {@code demo}, {@code seed}, {@code bench}. */
@Command(name = "novacron", mixinStandardHelpOptions = true, version = "novacron fleet data service 0.1",
        description = "NovaCron fleet data service: inventory, time series and the dashboard API.",
        subcommands = {Main.Serve.class, Main.Migrate.class, Main.Compact.class, Tools.Demo.class, Tools.Seed.class, Tools.Bench.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command and returns its exit code; a configuration error prints one line and returns 2. */
    public static int run(String... args) {
        return run(new Main(), args);
    }

    /** Runs {@code root}'s command line (this one, or the bench module's, which adds its commands). */
    public static int run(Object root, String... args) {
        CommandLine cli = new CommandLine(root);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("novacron: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Flags shared by every command; each overrides the environment variable it names. */
    public static final class Settings {
        @Option(names = "--db-url", description = "JDBC URL (env NOVACRON_DB_URL, default jdbc:postgresql://127.0.0.1:5432/novacron)")
        String dbUrl;
        @Option(names = "--db-user", description = "database user (env NOVACRON_DB_USER, default postgres)")
        String dbUser;
        @Option(names = "--port", description = "HTTP port (env NOVACRON_PORT, default 8080)")
        Integer port;
        @Option(names = "--admin-token", description = "platform admin token (env NOVACRON_ADMIN_TOKEN)")
        String adminToken;

        /** Whether {@code --db-url} was given (the benchmark then uses that database instead of its own). */
        public boolean dbUrlGiven() {
            return dbUrl != null;
        }

        public ServiceConfig resolve() {
            ServiceConfig c = ServiceConfig.fromEnvironment();
            var db = c.db();
            if (dbUrl != null || dbUser != null) {
                db = new ServiceConfig.Database(dbUrl != null ? dbUrl : db.url(), dbUser != null ? dbUser : db.user(),
                        db.password(), db.poolSize(), db.connectionTimeout(), db.statementTimeout());
            }
            var http = c.http();
            if (port != null) {
                http = http.withPort(port);
            }
            if (adminToken != null) {
                http = http.withAdminToken(adminToken);
            }
            return c.withDb(db).withHttp(http);
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the service until interrupted.")
    static final class Serve implements Callable<Integer> {
        @Mixin
        Settings settings;

        @Override
        public Integer call() throws InterruptedException {
            Application app = Application.start(settings.resolve());
            awaitShutdown(app);
            return 0;
        }
    }

    @Command(name = "migrate", mixinStandardHelpOptions = true,
            description = "Create the database if needed, apply the schema migrations and exit.")
    static final class Migrate implements Callable<Integer> {
        @Mixin
        Settings settings;

        @Override
        public Integer call() {
            try (Database db = Database.open(settings.resolve().db(), new SimpleMeterRegistry())) {
                System.out.println("schema is up to date");
            }
            return 0;
        }
    }

    @Command(name = "compact", mixinStandardHelpOptions = true,
            description = "Fold the rollups until they have caught up (what the service does every 2 s), then pack the raw history"
                    + " older than NOVACRON_PACK_AFTER_MINUTES into blocks (what it does every minute), print what moved and exit."
                    + " Safe beside running instances: one compactor per scope holds its lock, one packer its pack lock.")
    static final class Compact implements Callable<Integer> {
        @Mixin
        Settings settings;

        @picocli.CommandLine.Option(names = "--reclaim", description = "then rewrite (VACUUM FULL) what packing left mostly empty:"
                + " the raw day partitions holding packed hours and the 5-minute rollup partitions. After a bulk load only; each"
                + " rewrite locks its partition (ingest and reads of it wait) for a time proportional to its live rows.")
        boolean reclaim;

        @Override
        public Integer call() throws java.sql.SQLException {
            ServiceConfig cfg = settings.resolve();
            try (Database db = Database.open(cfg.db(), new SimpleMeterRegistry())) {
                Application.Storage storage = Application.storage(db, cfg, java.time.Clock.systemUTC(), new SimpleMeterRegistry());
                RollupCompactor compactor = storage.compactor();
                long t = System.nanoTime();
                long rows = compactor.compactAll();
                System.out.printf("folded %,d rows in %.1f s%n", rows, (System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                long packed = storage.packer().packAll();
                System.out.printf("packed %,d samples in %.1f s%n", packed, (System.nanoTime() - t) / 1e9);
                if (reclaim) {
                    t = System.nanoTime();
                    try (java.sql.Connection c = db.dataSource().getConnection()) {
                        c.setAutoCommit(true); // VACUUM runs outside a transaction
                        c.setNetworkTimeout(Runnable::run, 0);
                        try (java.sql.Statement st = c.createStatement()) {
                            st.execute("SET statement_timeout = 0"); // this command's own pool, closed below
                        }
                        long bytes = io.novacron.metrics.block.HistoryPacker.reclaim(c);
                        System.out.printf("reclaimed %,d MB in %.1f s%n", bytes >> 20, (System.nanoTime() - t) / 1e9);
                    }
                }
            }
            return 0;
        }
    }

    /** Blocks until SIGINT/SIGTERM, then stops the service cleanly. */
    public static void awaitShutdown(Application app) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "novacron-shutdown"));
        stopped.await();
    }
}
