package io.novacron.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The service's whole configuration, built once at start-up from environment variables (each
 * command-line flag overrides its variable). Every record checks itself in its compact
 * constructor, so a wrong setting fails start-up with one line naming the setting and why.
 *
 * <p>Defaults are chosen for this project's reference machine (2 cores, PostgreSQL on the same
 * host); see the README's configuration table for each key's meaning.
 */
public record ServiceConfig(Database db, Http http, Ingest ingest, Retention retention, Cache cache, Agents agents,
                            Replicas replicas) {

    /**
     * @param poolSize     connections in the pool. PostgreSQL on 2 cores does useful work on about
     *                     2 × cores + 1 connections at once (HikariCP's "pool sizing" rule); more only
     *                     queue inside the server. 8 leaves room for the bounded ingest slots beside reads.
     * @param connectionTimeout how long a request waits for a connection before it gets 503.
     * @param statementTimeout  server-side cap on any one statement (the runaway-query backstop).
     */
    public record Database(String url, String user, String password, int poolSize,
                           Duration connectionTimeout, Duration statementTimeout) {
        public Database {
            if (!url.startsWith("jdbc:postgresql://")) {
                throw ConfigException.invalid("NOVACRON_DB_URL", url, "must start with jdbc:postgresql://");
            }
            requireRange("NOVACRON_DB_POOL_SIZE", poolSize, 2, 200);
            requirePositive("NOVACRON_DB_CONNECTION_TIMEOUT_MS", connectionTimeout, Duration.ofMillis(250));
            requirePositive("NOVACRON_DB_STATEMENT_TIMEOUT_MS", statementTimeout, Duration.ofMillis(100));
        }

        /** The database name of {@link #url}, e.g. {@code novacron}. */
        public String databaseName() {
            String rest = url.substring("jdbc:postgresql://".length());
            int slash = rest.indexOf('/');
            if (slash < 0 || slash == rest.length() - 1) {
                throw ConfigException.invalid("NOVACRON_DB_URL", url, "must name a database");
            }
            String name = rest.substring(slash + 1);
            int q = name.indexOf('?');
            return q < 0 ? name : name.substring(0, q);
        }

        /** The same server's maintenance database, used to create {@link #databaseName()} if missing. */
        public String maintenanceUrl() {
            return url.replaceFirst("/" + java.util.regex.Pattern.quote(databaseName()) + "(\\?|$)", "/postgres$1");
        }

        public Database withUrl(String newUrl) {
            return new Database(newUrl, user, password, poolSize, connectionTimeout, statementTimeout);
        }
    }

    /** @param adminToken the platform-admin bearer token; null means none is configured. */
    public record Http(int port, String adminToken, long maxBodyBytes) {
        public Http {
            requireRange("NOVACRON_PORT", port, 0, 65535);
            if (adminToken != null && adminToken.length() < 16) {
                throw ConfigException.invalid("NOVACRON_ADMIN_TOKEN", "(hidden)", "must be at least 16 characters");
            }
            requireRange("NOVACRON_MAX_BODY_BYTES", maxBodyBytes, 1024, 256L << 20);
        }

        public Http withAdminToken(String token) {
            return new Http(port, token, maxBodyBytes);
        }

        public Http withPort(int newPort) {
            return new Http(newPort, adminToken, maxBodyBytes);
        }
    }

    /** @param maxConcurrentBatches ingest batches merged at once; beyond it callers get 429 + Retry-After. */
    public record Ingest(int maxConcurrentBatches, int maxSamplesPerBatch) {
        public Ingest {
            requireRange("NOVACRON_INGEST_CONCURRENCY", maxConcurrentBatches, 1, 64);
            requireRange("NOVACRON_INGEST_MAX_SAMPLES", maxSamplesPerBatch, 1, 1_000_000);
        }
    }

    /**
     * How long each resolution of the time series is kept.
     *
     * @param packAfter raw samples older than this move into compressed hour blocks
     *                  (NOVACRON_PACK_AFTER_MINUTES, default 120; 0 turns packing off)
     */
    public record Retention(Duration raw, Duration fiveMinute, Duration hourly, Duration daily, Duration packAfter) {
        public Retention {
            if (!packAfter.isZero()) {
                requireRange("NOVACRON_PACK_AFTER_MINUTES", packAfter.toMinutes(), 30, raw.toMinutes());
            }
            requirePositive("NOVACRON_RETENTION_RAW_DAYS", raw, Duration.ofDays(1));
            requirePositive("NOVACRON_RETENTION_5M_DAYS", fiveMinute, Duration.ofDays(1));
            requirePositive("NOVACRON_RETENTION_1H_DAYS", hourly, Duration.ofDays(1));
            requirePositive("NOVACRON_RETENTION_1D_DAYS", daily, Duration.ofDays(1));
        }
    }

    /**
     * Reads and their result cache.
     *
     * @param redisUrl       optional shared cache tier, e.g. {@code redis://127.0.0.1:6379}; null disables it.
     * @param sampleInterval how often agents send metric samples; monitoring flags a series
     *                       {@code stale} when its latest sample is older than 3 intervals.
     */
    public record Cache(boolean enabled, long maxEntries, String redisUrl, Duration sampleInterval) {
        public Cache {
            requireRange("NOVACRON_CACHE_MAX_ENTRIES", maxEntries, 0, 100_000_000);
            requirePositive("NOVACRON_SAMPLE_INTERVAL_S", sampleInterval, Duration.ofSeconds(1));
            if (redisUrl != null && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
                throw ConfigException.invalid("NOVACRON_REDIS_URL", redisUrl, "must start with redis:// or rediss://");
            }
        }

        public Cache withEnabled(boolean on) {
            return new Cache(on, maxEntries, redisUrl, sampleInterval);
        }

        public Cache withRedisUrl(String url) {
            return new Cache(enabled, maxEntries, url, sampleInterval);
        }
    }

    /**
     * How Prometheus remote-write series map to node and VM metrics (docs/AGENTS.md). A series is
     * stored when its {@code __name__} is one of the mapped names and it carries the id label of
     * that kind; every other series is counted and skipped.
     *
     * @param nodeLabel   label whose value is the node id ({@code NOVACRON_PROM_NODE_LABEL})
     * @param vmLabel     label whose value is the VM id ({@code NOVACRON_PROM_VM_LABEL})
     * @param nodeMetrics node metric name → Prometheus metric name ({@code NOVACRON_PROM_NODE_METRICS})
     * @param vmMetrics   VM metric name → Prometheus metric name ({@code NOVACRON_PROM_VM_METRICS})
     */
    public record Agents(String nodeLabel, String vmLabel, Map<String, String> nodeMetrics, Map<String, String> vmMetrics) {
        /** The recording rules shipped in prometheus/novacron-node.rules.yml produce these names. */
        public static final String DEFAULT_NODE_METRICS = "cpu_usage=novacron:node_cpu_usage:percent,"
                + "memory_usage=novacron:node_memory_usage:percent,disk_usage=novacron:node_disk_usage:percent,"
                + "load_1m=novacron:node_load1,net_rx_bps=novacron:node_net_rx:bytes_per_second,"
                + "net_tx_bps=novacron:node_net_tx:bytes_per_second";
        public static final String DEFAULT_VM_METRICS = "cpu_usage=novacron:vm_cpu_usage:percent,"
                + "memory_usage=novacron:vm_memory_usage:percent,disk_read_bps=novacron:vm_disk_read:bytes_per_second,"
                + "disk_write_bps=novacron:vm_disk_write:bytes_per_second,net_rx_bps=novacron:vm_net_rx:bytes_per_second,"
                + "net_tx_bps=novacron:vm_net_tx:bytes_per_second";
        private static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final java.util.regex.Pattern METRIC = java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

        public Agents {
            for (String[] l : new String[][] {{"NOVACRON_PROM_NODE_LABEL", nodeLabel}, {"NOVACRON_PROM_VM_LABEL", vmLabel}}) {
                if (l[1] == null || !LABEL.matcher(l[1]).matches() || l[1].startsWith("__")) {
                    throw ConfigException.invalid(l[0], String.valueOf(l[1]), "must be a Prometheus label name not starting with __");
                }
            }
            nodeMetrics = Map.copyOf(nodeMetrics);
            vmMetrics = Map.copyOf(vmMetrics);
            java.util.Set<String> names = new java.util.HashSet<>();
            for (var e : nodeMetrics.entrySet()) {
                if (!names.add(e.getValue())) {
                    throw ConfigException.invalid("NOVACRON_PROM_NODE_METRICS", e.getValue(), "a Prometheus metric may map to one metric only");
                }
            }
            for (var e : vmMetrics.entrySet()) {
                if (!names.add(e.getValue())) {
                    throw ConfigException.invalid("NOVACRON_PROM_VM_METRICS", e.getValue(), "a Prometheus metric may map to one metric only (also across node and VM)");
                }
            }
        }

        /**
         * Parses {@code metric=prometheus_name,...}; {@code allowed} are the kind's metric names. A
         * metric may be left out (it is then never filled in from Prometheus).
         */
        static Map<String, String> parseMetrics(String key, String spec, java.util.List<String> allowed) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            for (String part : spec.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                String metric = eq < 0 ? p : p.substring(0, eq).trim();
                String prom = eq < 0 ? "" : p.substring(eq + 1).trim();
                if (!allowed.contains(metric)) {
                    throw ConfigException.invalid(key, p, "unknown metric '" + metric + "' (one of " + String.join(", ", allowed) + ")");
                }
                if (!METRIC.matcher(prom).matches()) {
                    throw ConfigException.invalid(key, p, "expected metric=prometheus_metric_name");
                }
                if (m.put(metric, prom) != null) {
                    throw ConfigException.invalid(key, p, "metric '" + metric + "' mapped twice");
                }
            }
            return m;
        }
    }

    /**
     * Streaming replicas of {@link Database} that serve reads (see {@code db.ReplicaRouter}); they use
     * the primary's user, password, pool size and timeouts.
     *
     * @param urls    JDBC URLs of hot standbys of the primary, e.g. {@code jdbc:postgresql://10.0.0.2:5432/novacron}; empty: none.
     * @param maxWait how long a read waits for a replica to replay the last acknowledged commit before it
     *                tries the next replica or the primary. Locally a standby replays within a millisecond.
     * @param maxLag  a replica whose replay is further behind than this is taken out of rotation until it catches up.
     */
    public record Replicas(List<String> urls, Duration maxWait, Duration maxLag) {
        public Replicas {
            urls = List.copyOf(urls);
            for (String u : urls) {
                if (!u.startsWith("jdbc:postgresql://")) {
                    throw ConfigException.invalid("NOVACRON_DB_REPLICA_URLS", u, "each URL must start with jdbc:postgresql://");
                }
            }
            if (maxWait.isNegative() || maxWait.compareTo(Duration.ofSeconds(1)) > 0) {
                throw ConfigException.invalid("NOVACRON_DB_REPLICA_MAX_WAIT_MS", Long.toString(maxWait.toMillis()),
                        "must be between 0 and 1000");
            }
            requirePositive("NOVACRON_DB_REPLICA_MAX_LAG_MS", maxLag, Duration.ofMillis(100));
        }

        public static Replicas none() {
            return new Replicas(List.of(), Duration.ofMillis(10), Duration.ofSeconds(5));
        }

        public Replicas withUrls(List<String> newUrls) {
            return new Replicas(newUrls, maxWait, maxLag);
        }
    }

    /** Reads the process environment. */
    public static ServiceConfig fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads the given variables; a missing key takes its documented default. */
    public static ServiceConfig from(Map<String, String> env) {
        Function<String, String> get = key -> {
            String v = env.get(key);
            return v == null || v.isBlank() ? null : v.trim();
        };
        return new ServiceConfig(
                new Database(
                        str(get, "NOVACRON_DB_URL", "jdbc:postgresql://127.0.0.1:5432/novacron"),
                        str(get, "NOVACRON_DB_USER", "postgres"),
                        str(get, "NOVACRON_DB_PASSWORD", ""),
                        integer(get, "NOVACRON_DB_POOL_SIZE", 8),
                        Duration.ofMillis(integer(get, "NOVACRON_DB_CONNECTION_TIMEOUT_MS", 2000)),
                        Duration.ofMillis(integer(get, "NOVACRON_DB_STATEMENT_TIMEOUT_MS", 15000))),
                new Http(
                        integer(get, "NOVACRON_PORT", 8080),
                        get.apply("NOVACRON_ADMIN_TOKEN"),
                        integer(get, "NOVACRON_MAX_BODY_BYTES", 16 << 20)),
                new Ingest(
                        integer(get, "NOVACRON_INGEST_CONCURRENCY", 2),
                        integer(get, "NOVACRON_INGEST_MAX_SAMPLES", 50_000)),
                new Retention(
                        Duration.ofDays(integer(get, "NOVACRON_RETENTION_RAW_DAYS", 7)),
                        Duration.ofDays(integer(get, "NOVACRON_RETENTION_5M_DAYS", 30)),
                        Duration.ofDays(integer(get, "NOVACRON_RETENTION_1H_DAYS", 365)),
                        Duration.ofDays(integer(get, "NOVACRON_RETENTION_1D_DAYS", 36500)),
                        Duration.ofMinutes(integer(get, "NOVACRON_PACK_AFTER_MINUTES", 120))),
                new Cache(
                        bool(get, "NOVACRON_CACHE_ENABLED", true),
                        integer(get, "NOVACRON_CACHE_MAX_ENTRIES", 100_000),
                        get.apply("NOVACRON_REDIS_URL"),
                        Duration.ofSeconds(integer(get, "NOVACRON_SAMPLE_INTERVAL_S", 60))),
                new Agents(
                        str(get, "NOVACRON_PROM_NODE_LABEL", "novacron_node_id"),
                        str(get, "NOVACRON_PROM_VM_LABEL", "novacron_vm_id"),
                        Agents.parseMetrics("NOVACRON_PROM_NODE_METRICS", str(get, "NOVACRON_PROM_NODE_METRICS", Agents.DEFAULT_NODE_METRICS),
                                java.util.List.of("cpu_usage", "memory_usage", "disk_usage", "load_1m", "net_rx_bps", "net_tx_bps")),
                        Agents.parseMetrics("NOVACRON_PROM_VM_METRICS", str(get, "NOVACRON_PROM_VM_METRICS", Agents.DEFAULT_VM_METRICS),
                                java.util.List.of("cpu_usage", "memory_usage", "disk_read_bps", "disk_write_bps", "net_rx_bps", "net_tx_bps"))),
                new Replicas(
                        urlList(get.apply("NOVACRON_DB_REPLICA_URLS")),
                        Duration.ofMillis(integer(get, "NOVACRON_DB_REPLICA_MAX_WAIT_MS", 10)),
                        Duration.ofMillis(integer(get, "NOVACRON_DB_REPLICA_MAX_LAG_MS", 5000))));
    }

    /** The effective configuration for the start-up log line, secrets masked. */
    public String describe() {
        return "db=" + db.url() + " user=" + db.user() + " pool=" + db.poolSize()
                + " connectionTimeout=" + db.connectionTimeout().toMillis() + "ms"
                + " statementTimeout=" + db.statementTimeout().toMillis() + "ms"
                + " port=" + http.port() + " adminToken=" + (http.adminToken() == null ? "unset" : "****")
                + " maxBody=" + http.maxBodyBytes() + "B"
                + " ingestConcurrency=" + ingest.maxConcurrentBatches()
                + " retention(raw/5m/1h/1d days)=" + retention.raw().toDays() + "/" + retention.fiveMinute().toDays()
                + "/" + retention.hourly().toDays() + "/" + retention.daily().toDays()
                + " packAfter=" + retention.packAfter().toMinutes() + "min"
                + " cache=" + (cache.enabled() ? "on" : "off") + " redis=" + (cache.redisUrl() == null ? "off" : "on")
                + " sampleInterval=" + cache.sampleInterval().toSeconds() + "s"
                + " promLabels(node/vm)=" + agents.nodeLabel() + "/" + agents.vmLabel()
                + " replicas=" + replicas.urls().size();
    }

    public ServiceConfig withDb(Database d) {
        return new ServiceConfig(d, http, ingest, retention, cache, agents, replicas);
    }

    public ServiceConfig withHttp(Http h) {
        return new ServiceConfig(db, h, ingest, retention, cache, agents, replicas);
    }

    public ServiceConfig withAgents(Agents a) {
        return new ServiceConfig(db, http, ingest, retention, cache, a, replicas);
    }

    public ServiceConfig withCache(Cache c) {
        return new ServiceConfig(db, http, ingest, retention, c, agents, replicas);
    }

    public ServiceConfig withReplicas(Replicas r) {
        return new ServiceConfig(db, http, ingest, retention, cache, agents, r);
    }

    /** A comma-separated list; blanks between commas are ignored. */
    private static List<String> urlList(String v) {
        return v == null ? List.of() : Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static String str(Function<String, String> get, String key, String dflt) {
        String v = get.apply(key);
        return v == null ? dflt : v;
    }

    private static int integer(Function<String, String> get, String key, int dflt) {
        String v = get.apply(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, v, "not an integer");
        }
    }

    private static boolean bool(Function<String, String> get, String key, boolean dflt) {
        String v = get.apply(key);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase()) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw ConfigException.invalid(key, v, "expected true or false");
        };
    }

    private static void requireRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw ConfigException.invalid(key, Long.toString(value), "must be between " + min + " and " + max);
        }
    }

    private static void requirePositive(String key, Duration d, Duration min) {
        if (d.compareTo(min) < 0) {
            throw ConfigException.invalid(key, d.toString(), "must be at least " + min);
        }
    }

}
