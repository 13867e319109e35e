package io.novacron.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier: answers computed by any instance, in Redis, tagged with the Redis-held version
 * of their scope. Every instance increments a scope's version when it hears that scope's change
 * notification, so an entry made before a change can never match after it; a lookup reads the
 * versions and the entry in one MGET.
 *
 * <p>Redis is optional and may vanish: every failure marks the tier down (callers go on to the
 * database), and it is retried at most every {@link #RETRY} on a request thread. Coming back, the
 * instance first bumps the global epoch, since it may have missed increments while away.
 * Commands are rejected, never queued, while disconnected, and time out after {@link #TIMEOUT}.
 */
final class RedisTier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
    static final Duration TIMEOUT = Duration.ofMillis(250);
    static final Duration RETRY = Duration.ofSeconds(2);
    private static final Duration ENTRY_TTL = Duration.ofHours(1); // memory bound only, not freshness

    /** A lookup: the cached body if current, and the tag to store a fresh answer under (null: tier down). */
    record Lookup(CachedBody hit, String tag) {
    }

    private final RedisClient client;
    private final String prefix;
    private final byte[] epoch;
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile StatefulRedisConnection<byte[], byte[]> conn;
    private volatile long retryAfterNanos;

    /** @param namespace separates services on different databases that share one Redis */
    RedisTier(String url, String namespace) {
        this.prefix = "novacron:" + namespace + ":";
        this.epoch = bytes(prefix + "v:epoch");
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(TIMEOUT);
        client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder().connectTimeout(TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(TIMEOUT))
                .build());
    }

    Lookup lookup(Scope scope, String key) {
        var c = connection();
        if (c == null) {
            return new Lookup(null, null);
        }
        try {
            List<KeyValue<byte[], byte[]>> got = c.sync().mget(epoch, versionKey(scope), entryKey(key));
            String tag = text(got.get(0)) + ":" + text(got.get(1));
            KeyValue<byte[], byte[]> entry = got.get(2);
            return new Lookup(entry.hasValue() ? decode(entry.getValue(), tag) : null, tag);
        } catch (RuntimeException e) {
            fail(e);
            return new Lookup(null, null);
        }
    }

    void store(String key, String tag, CachedBody body) {
        var c = connection();
        if (c == null || tag == null) {
            return;
        }
        try {
            c.sync().set(entryKey(key), encode(tag, body), SetArgs.Builder.ex(ENTRY_TTL));
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    void bump(Scope scope) {
        var c = connection();
        if (c != null) {
            try {
                c.sync().incr(versionKey(scope));
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    void bumpAll() {
        var c = connection();
        if (c != null) {
            try {
                c.sync().incr(epoch);
            } catch (RuntimeException e) {
                fail(e);
            }
        }
    }

    boolean up() {
        return conn != null;
    }

    private StatefulRedisConnection<byte[], byte[]> connection() {
        var c = conn;
        if (c != null && c.isOpen()) {
            return c;
        }
        if (System.nanoTime() < retryAfterNanos || !connecting.compareAndSet(false, true)) {
            return null;
        }
        try {
            if (c != null) {
                c.closeAsync();
            }
            var fresh = client.connect(ByteArrayCodec.INSTANCE);
            fresh.sync().incr(epoch); // increments may have been missed while we were away
            conn = fresh;
            log.info("redis cache tier up");
            return fresh;
        } catch (RuntimeException e) {
            fail(e);
            return null;
        } finally {
            connecting.set(false);
        }
    }

    private void fail(RuntimeException e) {
        if (conn != null) {
            log.warn("redis cache tier down ({}); serving from the local tier and the database", e.getMessage());
        }
        var c = conn;
        conn = null;
        if (c != null) {
            c.closeAsync();
        }
        retryAfterNanos = System.nanoTime() + RETRY.toNanos();
    }

    private byte[] versionKey(Scope s) {
        return bytes(prefix + "v:" + s.key());
    }

    private byte[] entryKey(String key) {
        return bytes(prefix + "e:" + key);
    }

    private static String text(KeyValue<byte[], byte[]> kv) {
        return kv.hasValue() ? new String(kv.getValue(), StandardCharsets.US_ASCII) : "0";
    }

    /** Layout: {@code <tag>\n<etag>\n<json>}. */
    private static byte[] encode(String tag, CachedBody body) {
        byte[] head = bytes(tag + "\n" + body.etag() + "\n");
        byte[] out = new byte[head.length + body.json().length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body.json(), 0, out, head.length, body.json().length);
        return out;
    }

    private static CachedBody decode(byte[] v, String currentTag) {
        int a = indexOf(v, 0);
        int b = a < 0 ? -1 : indexOf(v, a + 1);
        if (b < 0 || !currentTag.equals(new String(v, 0, a, StandardCharsets.US_ASCII))) {
            return null;
        }
        String etag = new String(v, a + 1, b - a - 1, StandardCharsets.US_ASCII);
        byte[] json = new byte[v.length - b - 1];
        System.arraycopy(v, b + 1, json, 0, json.length);
        return new CachedBody(json, etag);
    }

    private static int indexOf(byte[] v, int from) {
        for (int i = from; i < v.length; i++) {
            if (v[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        var c = conn;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
}
