package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ResponseCachePort;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The response cache's second level, shared by every replica, on the gateway's one Redis connection: an entry is a
 * string ({@code <prefix>cache:e:<tenant>/<key>}) written with its ttl ({@code SET PX}), a generation counter is a
 * string ({@code <prefix>cache:g:<scope>}) raised by {@code INCR} — starting from the current time in milliseconds
 * when the counter does not exist, so counters only ever grow, even across a Redis restart that lost them. Raises and
 * removals are broadcast on {@code <prefix>cache:invalidations} for the other replicas' first levels; a lost
 * connection that comes back is reported too. While Redis is unreachable every call fails at once with
 * {@link CacheUnavailableException}.
 */
public final class RedisResponseCache implements ResponseCachePort {
    private static final Logger LOG = LoggerFactory.getLogger(RedisResponseCache.class);
    /** INCR, from a floor of the current time when the counter is new. */
    private static final String RAISE = "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end "
            + "return redis.call('INCR', KEYS[1])";

    private final RedisConnection redis;
    private final String channel;

    public RedisResponseCache(RedisConnection redis) {
        this.redis = redis;
        this.channel = redis.key("cache:invalidations");
    }

    private String entry(String key) {
        return redis.key("cache:e:" + key);
    }

    private String generation(String scope) {
        return redis.key("cache:g:" + scope);
    }

    private RedisClusterAsyncCommands<String, byte[]> commands() {
        return redis.commands().orElseThrow(() -> new CacheUnavailableException("Redis is not connected (" + redis.settings().shown() + ")", null));
    }

    private static <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> started;
        try {
            started = work.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(unavailable(e));
        }
        return started.handle((value, error) -> {
            if (error != null) {
                throw new CompletionException(unavailable(error));
            }
            return value;
        });
    }

    private static CacheUnavailableException unavailable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof CacheUnavailableException u ? u : new CacheUnavailableException("Redis: " + cause.getMessage(), cause);
    }

    @Override
    public CompletableFuture<Optional<CachedAnswer>> get(String key) {
        return call(() -> commands().get(entry(key)).toCompletableFuture().thenApply(CachedAnswerCodec::decode));
    }

    @Override
    public CompletableFuture<Void> put(String key, CachedAnswer answer, Duration ttl) {
        byte[] value = CachedAnswerCodec.encode(answer);
        return call(() -> commands().set(entry(key), value, SetArgs.Builder.px(Math.max(1, ttl.toMillis()))).toCompletableFuture()
                .thenApply(ok -> null));
    }

    @Override
    public CompletableFuture<Boolean> remove(String key) {
        return call(() -> commands().del(entry(key)).toCompletableFuture().thenApply(n -> {
            publish("r " + key);
            return n > 0;
        }));
    }

    @Override
    public CompletableFuture<List<Long>> generations(List<String> scopes) {
        if (scopes.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        String[] keys = scopes.stream().map(this::generation).toArray(String[]::new);
        return call(() -> commands().mget(keys).toCompletableFuture().thenApply(values -> {
            List<Long> result = new ArrayList<>(values.size());
            values.forEach(v -> result.add(v.hasValue() ? number(v.getValue()) : 0L));
            return result;
        }));
    }

    @Override
    public CompletableFuture<Long> bump(String scope) {
        byte[] floor = Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII);
        return call(() -> commands().<Long>eval(RAISE, ScriptOutputType.INTEGER, new String[] {generation(scope)}, floor)
                .toCompletableFuture().thenApply(value -> {
                    publish("g " + value + " " + scope);
                    return value;
                }));
    }

    @Override
    public CompletableFuture<Void> adopt(List<String> scopes, List<Long> values) {
        List<CompletableFuture<String>> sets = new ArrayList<>();
        return call(() -> {
            RedisClusterAsyncCommands<String, byte[]> commands = commands();
            for (int i = 0; i < scopes.size(); i++) {
                sets.add(commands.set(generation(scopes.get(i)), Long.toString(values.get(i)).getBytes(StandardCharsets.US_ASCII))
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new));
        });
    }

    /** Removes every entry of the cache (not the counters), a batch of keys at a time. */
    @Override
    public CompletableFuture<Void> clear() {
        return call(() -> clearFrom(ScanCursor.INITIAL));
    }

    private CompletableFuture<Void> clearFrom(ScanCursor cursor) {
        RedisClusterAsyncCommands<String, byte[]> commands = commands();
        ScanArgs args = ScanArgs.Builder.matches(redis.key("cache:e:*")).limit(500);
        return commands.scan(cursor, args).toCompletableFuture().thenCompose((KeyScanCursor<String> page) -> {
            CompletableFuture<Long> removed = page.getKeys().isEmpty() ? CompletableFuture.completedFuture(0L)
                    : commands.unlink(page.getKeys().toArray(String[]::new)).toCompletableFuture();
            return removed.thenCompose(n -> page.isFinished() ? CompletableFuture.completedFuture(null) : clearFrom(page));
        });
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return redis.ping();
    }

    /** What this level holds is Redis's to tell ({@code INFO}, {@code --bigkeys}); this replica counts what it writes. */
    @Override
    public LevelStats stats() {
        return LevelStats.UNKNOWN;
    }

    private void publish(String message) {
        redis.commands().ifPresent(c -> c.publish(channel, message.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void listen(InvalidationListener listener) {
        redis.onReconnected(listener::reconnected);
        subscribe(listener);
    }

    /** Subscribes to the other replicas' invalidations; tries again every second until Redis can be reached. */
    private void subscribe(InvalidationListener listener) {
        redis.pubSub().thenAccept(connection -> {
            connection.addListener(new RedisPubSubAdapter<String, String>() {
                @Override
                public void message(String from, String message) {
                    try {
                        if (message.startsWith("r ")) {
                            listener.removed(message.substring(2));
                        } else if (message.startsWith("g ")) {
                            int space = message.indexOf(' ', 2);
                            listener.generationRaised(message.substring(space + 1), Long.parseLong(message.substring(2, space)));
                        }
                    } catch (RuntimeException e) {
                        LOG.debug("ignored a cache invalidation message: {}", e.getMessage());
                    }
                }
            });
            connection.async().subscribe(channel);
        }).exceptionally(error -> {
            LOG.debug("response cache: cannot subscribe to invalidations yet ({}); trying again", error.getMessage());
            CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS).execute(() -> subscribe(listener));
            return null;
        });
    }

    private static long number(byte[] value) {
        return value == null ? 0L : Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }
}
