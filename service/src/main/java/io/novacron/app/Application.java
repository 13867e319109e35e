package io.novacron.app;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.cache.ReadCache;
import io.novacron.config.ServiceConfig;
import io.novacron.console.ConsoleAssets;
import io.novacron.db.Database;
import io.novacron.db.ReplicaRouter;
import io.novacron.db.Tx;
import io.novacron.fleet.AuditRoutes;
import io.novacron.fleet.NodeRoutes;
import io.novacron.fleet.OrgRoutes;
import io.novacron.fleet.UserRoutes;
import io.novacron.fleet.VmRoutes;
import io.novacron.ops.DbHealth;
import io.novacron.metrics.agents.InfluxRoutes;
import io.novacron.metrics.agents.PromWriteRoutes;
import io.novacron.metrics.ingest.IngestGate;
import io.novacron.metrics.ingest.IngestTimings;
import io.novacron.metrics.ingest.MetricIngest;
import io.novacron.metrics.ingest.MetricsIngestRoutes;
import io.novacron.metrics.query.MetricsQueryRoutes;
import io.novacron.metrics.block.HistoryPacker;
import io.novacron.metrics.rollup.MetricRetention;
import io.novacron.metrics.rollup.RollupCompactor;
import io.novacron.ops.Health;
import io.novacron.ops.Maintenance;
import io.novacron.ops.Telemetry;
import io.novacron.reads.capacity.NodeCapacity;
import io.novacron.reads.dashboard.Dashboard;
import io.novacron.reads.listing.VmListing;
import io.novacron.reads.monitoring.NodeMonitoring;
import io.novacron.reads.monitoring.VmMonitoring;
import io.novacron.web.Auth;
import io.novacron.web.Errors;
import io.novacron.web.Json;
import io.novacron.web.OpenApi;
import io.novacron.web.edge.HttpEdge;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The wiring of the whole service, in start order: telemetry, database (created and migrated),
 * read replicas, domain services, HTTP routes, maintenance. {@link #close} stops them in reverse.
 * Nothing else in the code base constructs these parts.
 */
public final class Application implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Application.class);

    /**
     * The metric store's parts over an open database, without HTTP: what the service runs, and
     * what the {@code compact} command and the ingest benchmark drive directly.
     */
    public record Storage(Tx tx, MetricIngest ingest, RollupCompactor compactor, MetricRetention retention, HistoryPacker packer) {
    }

    public static Storage storage(Database db, ServiceConfig config, Clock clock, MeterRegistry registry) {
        return storage(db, ReplicaRouter.NONE, config, clock, registry);
    }

    public static Storage storage(Database db, ReplicaRouter replicas, ServiceConfig config, Clock clock, MeterRegistry registry) {
        Tx tx = new Tx(db.dataSource(), replicas);
        return new Storage(tx, new MetricIngest(tx, config.retention(), clock, new IngestTimings(registry)),
                new RollupCompactor(tx, config.retention().raw(), clock, registry),
                new MetricRetention(tx, config.retention(), clock),
                new HistoryPacker(tx, db.dataSource(), config.retention().packAfter(), clock, registry));
    }

    /** A route as registered with Javalin, e.g. {@code GET /api/v1/vms/{id}}. */
    public record Route(String method, String path) {
    }

    private final ServiceConfig config;
    private final Clock clock;
    private final Telemetry telemetry;
    private final Database db;
    private final ReplicaRouter replicas;
    private final Maintenance maintenance = new Maintenance();
    private final Storage storage;
    private final ReadCache cache;
    private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    private final Javalin http;

    private Application(ServiceConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.telemetry = new Telemetry();
        this.db = Database.open(config.db(), telemetry.registry());
        this.replicas = ReplicaRouter.start(config.db(), config.replicas(), telemetry.registry());
        this.storage = storage(db, replicas, config, clock, telemetry.registry());
        Tx tx = storage.tx();
        this.cache = ReadCache.start(config.cache(), config.db(), telemetry.registry(), replicas);
        this.http = createHttp(tx);
        maintenance.every("audit-partitions", Duration.ofHours(6), () -> tx.inTransaction(c -> {
            try (var st = c.createStatement()) {
                st.execute("SELECT ensure_audit_partitions()");
            }
            return null;
        }));
        maintenance.every("metric-retention", Duration.ofHours(1), storage.retention()::run);
        // Updated by every ingest batch, non-HOT (vm_latest's top-N indexes): see V22__hot_table_vacuum.sql.
        maintenance.every("latest-values-vacuum", Duration.ofSeconds(30), () -> tx.readPrimary(c -> {
            try (var st = c.createStatement()) {
                st.execute("VACUUM (SKIP_LOCKED) vm_latest, node_latest");
            }
            return null;
        }));
        maintenance.every("rollup-compaction", Duration.ofSeconds(2), storage.compactor()::compactAll);
        maintenance.every("metric-packing", Duration.ofMinutes(1), storage.packer()::packAll);
    }

    /** Builds the service and starts serving on the configured port (0 picks a free one). */
    public static Application start(ServiceConfig config) {
        return start(config, Clock.systemUTC());
    }

    public static Application start(ServiceConfig config, Clock clock) {
        log.info("starting: {}", config.describe());
        Application app = new Application(config, clock);
        app.http.start(config.http().port());
        log.info("listening on port {}", app.port());
        return app;
    }

    private Javalin createHttp(Tx tx) {
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.useVirtualThreads = false;
            cfg.http.maxRequestSize = config.http().maxBodyBytes();
            cfg.http.prefer405over404 = true;
            cfg.jsonMapper(new JavalinJackson(Json.MAPPER, false));
            HttpEdge.configure(cfg);
            // The OpenAPI document, browsable: Swagger UI from its WebJar over GET /openapi.json.
            cfg.staticFiles.enableWebjars();
            cfg.staticFiles.add(files -> {
                files.hostedPath = "/docs/api";
                files.directory = "/apidocs";
                files.location = Location.CLASSPATH;
            });
            cfg.requestLogger.http(telemetry::onRequest);
            cfg.events(ev -> ev.handlerAdded(meta -> {
                if (meta.getHttpMethod().isHttpMethod() && meta.getHttpMethod() != HandlerType.HEAD) {
                    routes.add(new Route(meta.getHttpMethod().name(), meta.getPath()));
                }
            }));
        });
        Errors.register(app);
        HttpEdge.register(app); // before every other handler: it vets the request target

        Health health = new Health(db);
        app.get("/healthz", health::healthz);
        app.get("/readyz", health::readyz);
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(telemetry.scrape()));
        String openApi = OpenApi.document().toPrettyString();
        app.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
        new ConsoleAssets().register(app); // static files only: the console calls /api/v1 with the user's token

        Auth auth = new Auth(tx, config.http().adminToken(), cache);
        app.before("/api/v1/*", auth::authenticate);
        // The five critical reads first: /api/v1/nodes/capacity must win over /api/v1/nodes/{id}.
        new Dashboard(tx, cache).register(app);
        new VmListing(tx, cache).register(app);
        new VmMonitoring(tx, cache, config.cache().sampleInterval()).register(app);
        new NodeMonitoring(tx, cache, config.cache().sampleInterval()).register(app);
        new NodeCapacity(tx, cache).register(app); // before the fleet's /api/v1/nodes/{id}
        new OrgRoutes(tx, cache).register(app);
        new UserRoutes(tx).register(app);
        new NodeRoutes(tx).register(app);
        new VmRoutes(tx).register(app);
        new AuditRoutes(tx).register(app);
        app.get("/api/v1/admin/db/health", new DbHealth(tx)::handle);
        // One gate for every ingest route: the bound is on batches in flight, whatever their wire format.
        IngestGate gate = new IngestGate(config.ingest().maxConcurrentBatches());
        new MetricsIngestRoutes(storage.ingest(), gate, config.ingest(), config.http().maxBodyBytes(), clock).register(app);
        new PromWriteRoutes(storage.ingest(), gate, config.agents(), config.ingest(), config.http().maxBodyBytes(),
                telemetry.registry()).register(app);
        new InfluxRoutes(auth, storage.ingest(), gate, config.ingest().maxSamplesPerBatch(), config.http().maxBodyBytes(),
                clock).register(app);
        new MetricsQueryRoutes(tx, cache, clock).register(app);
        return app;
    }

    public int port() {
        return http.port();
    }

    public ServiceConfig config() {
        return config;
    }

    public Database database() {
        return db;
    }

    public Storage storage() {
        return storage;
    }

    /** Every route registered with Javalin (for the OpenAPI check). */
    public List<Route> routes() {
        synchronized (routes) {
            return List.copyOf(routes);
        }
    }

    @Override
    public void close() {
        http.stop();
        maintenance.close();
        cache.close();
        replicas.close();
        db.close();
        telemetry.close();
    }
}
