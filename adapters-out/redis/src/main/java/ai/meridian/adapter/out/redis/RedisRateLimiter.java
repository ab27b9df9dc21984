package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.RateLimiterPort;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;


/**
 * Limits every replica shares, in Redis: buckets are Bucket4j's Lettuce buckets (compare-and-swap in Lua, so
 * concurrent replicas never both take the last token), counters are {@code INCRBY} with an expiry set when the
 * counter is created. Every call is asynchronous; while Redis is unreachable every call fails at once with
 * {@link LimiterUnavailableException}, for the core to count locally instead.
 */
public final class RedisRateLimiter implements RateLimiterPort {
    /** INCRBY, and the expiry only on the counter's first write, so that a busy counter still ends with its period. */
    private static final String ADD = "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) "
            + "if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end return v";

    private final RedisConnection redis;
    private volatile AsyncProxyManager<String> buckets;
    private volatile StatefulConnection<String, byte[]> bucketsFor;
    private final java.util.Map<String, Proxy> proxies = new java.util.concurrent.ConcurrentHashMap<>();

    public RedisRateLimiter(RedisConnection redis) {
        this.redis = redis;
    }

    private AsyncProxyManager<String> buckets() {
        StatefulConnection<String, byte[]> connection = redis.connection()
                .orElseThrow(() -> new LimiterUnavailableException("Redis is not connected (" + redis.settings().shown() + ")", null));
        AsyncProxyManager<String> known = buckets;
        if (known != null && bucketsFor == connection) {
            return known;
        }
        synchronized (this) {
            if (buckets == null || bucketsFor != connection) {
                ExpirationAfterWriteStrategy expiry = ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofMinutes(10));
                @SuppressWarnings("unchecked")
                var builder = connection instanceof StatefulRedisClusterConnection<?, ?> cluster
                        ? Bucket4jLettuce.casBasedBuilder((StatefulRedisClusterConnection<String, byte[]>) cluster)
                        : Bucket4jLettuce.casBasedBuilder((StatefulRedisConnection<String, byte[]>) connection);
                buckets = builder.expirationAfterWrite(expiry).build().asAsync();
                bucketsFor = connection;
            }
            return buckets;
        }
    }

    /**
     * One proxy per bucket, kept: with batching, requests for a bucket that arrive while a compare-and-swap for it is under
     * way are merged into the next one, so a hot key (many concurrent requests of one key) costs a few round trips, not a
     * storm of retried swaps.
     */
    private AsyncBucketProxy bucket(BucketSpec spec) {
        AsyncProxyManager<String> manager = buckets();
        Proxy known = proxies.get(spec.name());
        if (known != null && known.manager == manager) {
            return known.proxy;
        }
        if (proxies.size() > 10_000) {
            proxies.clear(); // names include the limit; old ones are dropped wholesale, the buckets themselves live in Redis
        }
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(spec.capacity()).refillIntervally(spec.capacity(), spec.period()))
                .build();
        AsyncBucketProxy proxy = manager.builder().withOptimization(Optimizations.batching())
                .build(redis.key("bucket:" + spec.name()), () -> CompletableFuture.completedFuture(configuration));
        proxies.put(spec.name(), new Proxy(manager, proxy));
        return proxy;
    }

    private record Proxy(AsyncProxyManager<String> manager, AsyncBucketProxy proxy) {
    }

    private RedisClusterAsyncCommands<String, byte[]> commands() {
        return redis.commands().orElseThrow(() -> new LimiterUnavailableException("Redis is not connected (" + redis.settings().shown() + ")", null));
    }

    /** Runs a Redis call; any failure (refused while disconnected, timed out, connection lost) is "unavailable". */
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

    private static LimiterUnavailableException unavailable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof LimiterUnavailableException u ? u : new LimiterUnavailableException("Redis: " + cause.getMessage(), cause);
    }

    private static BucketState state(boolean taken, long remaining, long nanosUntilAvailable, VerboseResult<?> result) {
        return new BucketState(taken, remaining, Duration.ofNanos(nanosUntilAvailable),
                Duration.ofNanos(result.getDiagnostics().calculateFullRefillingTime()));
    }

    @Override
    public CompletableFuture<BucketState> tryTake(BucketSpec spec, long amount) {
        return call(() -> bucket(spec).asVerbose().tryConsumeAndReturnRemaining(amount).thenApply(result -> {
            ConsumptionProbe probe = result.getValue();
            return state(probe.isConsumed(), probe.getRemainingTokens(), probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), result);
        }));
    }

    @Override
    public CompletableFuture<BucketState> peek(BucketSpec spec, long amount) {
        return call(() -> bucket(spec).asVerbose().estimateAbilityToConsume(amount).thenApply(result -> {
            EstimationProbe probe = result.getValue();
            return state(probe.canBeConsumed(), result.getDiagnostics().getAvailableTokens(),
                    probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill(), result);
        }));
    }

    @Override
    public CompletableFuture<BucketState> charge(BucketSpec spec, long amount) {
        return call(() -> bucket(spec).asVerbose().consumeIgnoringRateLimits(amount)
                .thenApply(result -> state(true, result.getDiagnostics().getAvailableTokens(), 0, result)));
    }

    @Override
    public CompletableFuture<List<Long>> counters(List<String> names) {
        return call(() -> {
            RedisClusterAsyncCommands<String, byte[]> commands = commands();
            List<CompletableFuture<byte[]>> values = new ArrayList<>(names.size());
            for (String name : names) {
                values.add(commands.get(redis.key("counter:" + name)).toCompletableFuture());
            }
            return CompletableFuture.allOf(values.toArray(CompletableFuture[]::new))
                    .thenApply(v -> values.stream().map(f -> number(f.join())).toList());
        });
    }

    private static long number(byte[] value) {
        return value == null ? 0L : Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }

    @Override
    public CompletableFuture<Long> add(String name, long delta, Duration ttl) {
        return call(() -> commands().<Long>eval(ADD, ScriptOutputType.INTEGER, new String[] {redis.key("counter:" + name)},
                ascii(delta), ascii(Math.max(1, ttl.toSeconds()))).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Void> seed(String name, long value, Duration ttl) {
        return call(() -> commands().set(redis.key("counter:" + name), ascii(value), SetArgs.Builder.nx().ex(Math.max(1, ttl.toSeconds())))
                .toCompletableFuture().thenApply(ok -> null));
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return redis.ping();
    }

}
