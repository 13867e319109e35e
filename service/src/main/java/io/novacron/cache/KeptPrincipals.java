package io.novacron.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import java.util.HexFormat;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Org tokens' principals, kept in memory under the {@link ReadCache}'s token version: a token
 * lookup is a round trip on every request otherwise. Any change to {@code api_token} voids them
 * all (see {@link ReadCache}); only found tokens are kept, so a new token needs no notice.
 *
 * @param <P> what the web layer makes of a token row
 */
public final class KeptPrincipals<P> {
    private record Entry<P>(long version, P principal) {
    }

    private final Cache<String, Entry<P>> kept;
    private final LongSupplier version;
    private final BooleanSupplier live;
    private final Counter fromMemory;
    private final Counter fromDatabase;

    KeptPrincipals(long maxEntries, LongSupplier version, BooleanSupplier live, Counter fromMemory, Counter fromDatabase) {
        this.kept = Caffeine.newBuilder().maximumSize(maxEntries).build();
        this.version = version;
        this.live = live;
        this.fromMemory = fromMemory;
        this.fromDatabase = fromDatabase;
    }

    /**
     * The principal of the org token with this SHA-256, kept while nothing has changed any token
     * since it was read, or {@code lookup}'s (null: unknown or revoked, never kept).
     */
    public P get(byte[] tokenHash, Supplier<P> lookup) {
        if (!live.getAsBoolean()) {
            fromDatabase.increment();
            return lookup.get();
        }
        String key = HexFormat.of().formatHex(tokenHash);
        long v = version.getAsLong(); // read before the lookup, as for answers
        Entry<P> e = kept.getIfPresent(key);
        if (e != null && e.version == v) {
            fromMemory.increment();
            return e.principal;
        }
        fromDatabase.increment();
        P p = lookup.get();
        if (p != null) {
            kept.put(key, new Entry<>(v, p));
        }
        return p;
    }

    void clear() {
        kept.invalidateAll();
    }
}
