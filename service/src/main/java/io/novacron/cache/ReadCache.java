package io.novacron.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.novacron.config.ServiceConfig;
import io.novacron.db.ReplicaRouter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The result cache of the service's reads: (route, scope, normalized parameters) → JSON bytes +
 * ETag, in an in-process Caffeine tier and, when {@code NOVACRON_REDIS_URL} is set, a shared Redis
 * tier. Freshness comes from invalidation, not from TTLs.
 *
 * <p>Versions: each scope has a local version, replaced by a new number from one sequence when
 * the scope's change notification arrives ({@link ChangeFeed}); losing the feed raises a floor
 * above every version. An answer is stored under the version read <em>before</em> it was
 * computed, and served only while that is still the scope's version. So an answer computed from
 * a snapshot older than a commit cannot outlive that commit's notification: the notification is
 * sent at commit, and either it arrived before the version was read (then the snapshot, taken
 * later, sees the commit) or it changes the version afterwards.
 *
 * <p>Org tokens' principals are kept under the same rules ({@link KeptPrincipals}): a token lookup
 * is a round trip on every request otherwise, and on two busy cores round trips, not SQL, are
 * what a read pays for. Any UPDATE, DELETE or TRUNCATE of {@code api_token} notifies
 * {@code tokens} (V28), which voids them all; new tokens need no notice, since only found tokens
 * are kept. Principals are authentication, not answers: they are kept with the result cache off
 * too, so the feed listens whenever the service runs.
 *
 * <p>While the feed is down, every read and every token check goes to the database; with
 * {@code NOVACRON_CACHE_ENABLED=false}, every read does (still with an ETag). Counters:
 * {@code novacron_cache_requests_total{tier,result}}, {@code novacron_token_lookups_total{source}}.
 */
public final class ReadCache implements AutoCloseable {
    private record Entry(long version, CachedBody body) {
    }

    /** The {@code novacron_changes} payload that voids every kept token principal. */
    static final String TOKENS = "tokens";

    private final boolean enabled;
    private final Cache<String, Entry> local;
    private final Map<Scope, Long> versions = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile long floor;
    private final long maxEntries;
    private final List<KeptPrincipals<?>> principals = new CopyOnWriteArrayList<>();
    private volatile long tokensVersion;
    private final RedisTier redis;
    private final ChangeFeed feed;
    private final Counter localHit;
    private final Counter localMiss;
    private final Counter redisHit;
    private final Counter redisMiss;
    private final Counter bypass;
    private final Counter tokenFromMemory;
    private final Counter tokenFromDatabase;

    private ReadCache(ServiceConfig.Cache cfg, ServiceConfig.Database db, MeterRegistry registry, ReplicaRouter replicas) {
        this.enabled = cfg.enabled();
        this.local = Caffeine.newBuilder().maximumSize(cfg.maxEntries()).build();
        this.maxEntries = cfg.maxEntries();
        this.redis = cfg.enabled() && cfg.redisUrl() != null ? new RedisTier(cfg.redisUrl(), db.databaseName()) : null;
        this.feed = new ChangeFeed(db, this::changed, this::lost, replicas);
        this.localHit = counter(registry, "local", "hit");
        this.localMiss = counter(registry, "local", "miss");
        this.redisHit = counter(registry, "redis", "hit");
        this.redisMiss = counter(registry, "redis", "miss");
        this.bypass = counter(registry, "none", "bypass");
        this.tokenFromMemory = tokenCounter(registry, "memory");
        this.tokenFromDatabase = tokenCounter(registry, "database");
    }

    /** Builds the cache and starts listening for changes (also with the result cache off: token principals). */
    public static ReadCache start(ServiceConfig.Cache cfg, ServiceConfig.Database db, MeterRegistry registry) {
        return start(cfg, db, registry, ReplicaRouter.NONE);
    }

    /** As above; the feed also tells {@code replicas} which commits it has heard of. */
    public static ReadCache start(ServiceConfig.Cache cfg, ServiceConfig.Database db, MeterRegistry registry,
                                  ReplicaRouter replicas) {
        ReadCache cache = new ReadCache(cfg, db, registry, replicas);
        cache.feed.start();
        return cache;
    }

    /** The cached answer for the key, or {@code compute}'s (which may throw ApiException: nothing is cached then). */
    public CachedBody get(String route, Scope scope, String params, Supplier<byte[]> compute) {
        if (!enabled || !feed.live()) {
            bypass.increment();
            return CachedBody.of(compute.get());
        }
        String key = scope.key() + "|" + route + "|" + params;
        long version = version(scope);
        Entry e = local.getIfPresent(key);
        if (e != null && e.version == version) {
            localHit.increment();
            return e.body;
        }
        localMiss.increment();
        RedisTier.Lookup shared = redis == null ? null : redis.lookup(scope, key);
        CachedBody body;
        if (shared != null && shared.hit() != null) {
            redisHit.increment();
            body = shared.hit();
        } else {
            if (shared != null) {
                redisMiss.increment();
            }
            body = CachedBody.of(compute.get());
            if (shared != null) {
                redis.store(key, shared.tag(), body);
            }
        }
        local.put(key, new Entry(version, body));
        return body;
    }

    /** A keeper of org tokens' principals, voided with every change to any token (see {@link KeptPrincipals}). */
    public <P> KeptPrincipals<P> keptPrincipals() {
        KeptPrincipals<P> k = new KeptPrincipals<>(maxEntries, () -> Math.max(floor, tokensVersion), feed::live,
                tokenFromMemory, tokenFromDatabase);
        principals.add(k);
        return k;
    }

    /**
     * Voids every kept token principal now: called after a revocation commits, so it is refused at
     * once on this instance; the V28 notification does the same on every instance.
     */
    public void tokensChanged() {
        tokensVersion = sequence.incrementAndGet();
        principals.forEach(KeptPrincipals::clear);
    }

    /** True while answers may be served from the cache (enabled and the change feed is live). */
    public boolean serving() {
        return enabled && feed.live();
    }

    private long version(Scope scope) {
        return Math.max(floor, versions.getOrDefault(scope, 0L));
    }

    private void changed(String payload) {
        if (TOKENS.equals(payload)) {
            tokensChanged();
            return;
        }
        Scope scope = Scope.fromPayload(payload);
        if (scope == null || !enabled) {
            return; // no answers are kept with the result cache off
        }
        // Redis first: once the local version moves, a local miss reads Redis, and a Redis version
        // not yet bumped would hand back (and re-cache locally, under the new version) an answer
        // from before the change. The bump is synchronous; if it fails the tier rests, and on its
        // return the epoch is bumped before it serves again.
        if (redis != null) {
            redis.bump(scope);
        }
        versions.put(scope, sequence.incrementAndGet());
    }

    private void lost() {
        if (redis != null) {
            redis.bumpAll(); // first, for the same reason as in changed()
        }
        floor = sequence.incrementAndGet();
        local.invalidateAll();
        principals.forEach(KeptPrincipals::clear);
    }

    private static Counter counter(MeterRegistry registry, String tier, String result) {
        return Counter.builder("novacron_cache_requests")
                .description("Cached reads by tier and outcome (bypass: cache off or change feed down)")
                .tag("tier", tier).tag("result", result)
                .register(registry);
    }

    private static Counter tokenCounter(MeterRegistry registry, String source) {
        return Counter.builder("novacron_token_lookups")
                .description("Org token checks by where the answer came from (memory: kept principal)")
                .tag("source", source)
                .register(registry);
    }

    @Override
    public void close() {
        feed.close();
        if (redis != null) {
            redis.close();
        }
    }
}
