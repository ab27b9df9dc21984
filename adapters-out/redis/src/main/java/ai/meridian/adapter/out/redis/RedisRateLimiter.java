package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.RateLimiterPort;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Limits every replica shares, in Redis, each operation one Lua script run by its SHA ({@code EVALSHA}, loaded with
 * {@code EVAL} the first time a server does not know it) on the shared connection, never waited for on a caller's
 * thread. A whole admission (a key's tokens-per-minute bucket, its budgets, then one request from its requests-per-minute
 * bucket) is one script, so one round trip per request and atomic across replicas: no other admission runs between its
 * checks and its take. Buckets are {@code "tokens:refillAtMillis"} strings that refill whole at the end of each period
 * (Bucket4j's "intervally" refill, which the in-process limiter uses), on Redis's own clock ({@code TIME}), so replicas
 * with skewed clocks agree; a bucket expires a period after it would be full again. Counters are integers that
 * {@code INCRBY} creates with their expiry. A key's names share its hash tag, so a script touches one Cluster slot.
 * While Redis is unreachable every call fails at once with {@link LimiterUnavailableException}, for the core to count
 * locally instead.
 */
public final class RedisRateLimiter implements RateLimiterPort {
    /** Redis's clock, and reading, checking and writing a bucket. */
    private static final String BUCKETS = """
            local clock = redis.call('TIME')
            local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
            local function load(key, cap, period)
              local v = redis.call('GET', key)
              if not v then return cap, now + period end
              local sep = string.find(v, ':', 1, true)
              local tokens = tonumber(string.sub(v, 1, sep - 1))
              local refill = tonumber(string.sub(v, sep + 1))
              if now >= refill then
                local periods = math.floor((now - refill) / period) + 1
                tokens = math.min(cap, tokens + periods * cap)
                refill = refill + periods * period
              end
              return tokens, refill
            end
            local function wait(tokens, refill, cap, period, amount)
              if tokens >= amount then return 0 end
              return (refill - now) + (math.ceil((amount - tokens) / cap) - 1) * period
            end
            local function store(key, tokens, refill, cap, period)
              redis.call('SET', key, string.format('%d:%d', tokens, refill), 'PX', wait(tokens, refill, cap, period, cap) + period)
            end
            """;

    /**
     * KEYS: one per condition, then the bucket to take from (if any). ARGV: the number of conditions, 1 to take, then per
     * condition its kind ({@code b}: a bucket holds an amount; {@code c}: a counter plus an amount stays within a limit)
     * and three numbers (capacity, period in ms, amount; or limit, 0, amount), then the take's capacity, period, amount.
     * Answers the index of the first condition that failed (the number of conditions when the take failed, -1 when
     * admitted), then per condition whether it held and three numbers (remaining, ms until the amount is there, ms until
     * full; or the counter's value, 0, 0), then for the take whether it was taken and the same three numbers.
     */
    static final String ADMIT = BUCKETS + """
            local n = tonumber(ARGV[1])
            local out = {-1}
            local failed = -1
            for i = 1, n do
              local kind, a, b, amount = ARGV[4 * i - 1], tonumber(ARGV[4 * i]), tonumber(ARGV[4 * i + 1]), tonumber(ARGV[4 * i + 2])
              local holds, x, y, z
              if kind == 'b' then
                local tokens, refill = load(KEYS[i], a, b)
                holds = tokens >= amount
                x, y, z = tokens, wait(tokens, refill, a, b, amount), wait(tokens, refill, a, b, a)
              else
                local value = tonumber(redis.call('GET', KEYS[i]) or '0')
                holds = value + amount <= a
                x, y, z = value, 0, 0
              end
              if not holds and failed < 0 then failed = i - 1 end
              out[#out + 1] = holds and 1 or 0
              out[#out + 1] = x
              out[#out + 1] = y
              out[#out + 1] = z
            end
            if ARGV[2] == '1' then
              local base = 4 * n + 3
              local cap, period, amount = tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
              local tokens, refill = load(KEYS[n + 1], cap, period)
              local taken = failed < 0 and tokens >= amount
              if taken then
                tokens = tokens - amount
                store(KEYS[n + 1], tokens, refill, cap, period)
              elseif failed < 0 then
                failed = n
              end
              out[#out + 1] = taken and 1 or 0
              out[#out + 1] = tokens
              out[#out + 1] = taken and 0 or wait(tokens, refill, cap, period, amount)
              out[#out + 1] = wait(tokens, refill, cap, period, cap)
            end
            out[1] = failed
            return out
            """;

    /** KEYS: the bucket. ARGV: capacity, period in ms, amount. Takes the amount even into debt; answers remaining and ms until full. */
    static final String CHARGE = BUCKETS + """
            local cap, period, amount = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            local tokens, refill = load(KEYS[1], cap, period)
            tokens = tokens - amount
            store(KEYS[1], tokens, refill, cap, period)
            return {tokens, wait(tokens, refill, cap, period, cap)}
            """;

    /** INCRBY, and the expiry only on the counter's first write, so that a busy counter still ends with its period. */
    static final String ADD = "local v = redis.call('INCRBY', KEYS[1], ARGV[1]) "
            + "if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end return v";

    private static final byte[] ONE = ascii(1);
    private static final byte[] ZERO = ascii(0);
    private static final byte[] BUCKET = "b".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COUNTER = "c".getBytes(StandardCharsets.US_ASCII);

    private final RedisConnection redis;
    private final Script admit = new Script(ADMIT);
    private final Script charge = new Script(CHARGE);
    private final Script add = new Script(ADD);

    public RedisRateLimiter(RedisConnection redis) {
        this.redis = redis;
    }

    /** A script and its SHA-1, run by the SHA and sent whole only to a server that does not know it yet. */
    private record Script(String text, String sha) {
        Script(String text) {
            this(text, sha1(text));
        }

        private static String sha1(String text) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private <T> CompletableFuture<T> run(Script script, ScriptOutputType type, String[] keys, byte[]... args) {
        RedisClusterAsyncCommands<String, byte[]> commands = commands();
        CompletableFuture<T> bySha = commands.<T>evalsha(script.sha, type, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(error -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof RedisNoScriptException || String.valueOf(cause.getMessage()).startsWith("NOSCRIPT")) {
                return commands.<T>eval(script.text, type, keys, args).toCompletableFuture(); // loads it for the next time
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private String bucketKey(BucketSpec spec) {
        return redis.key("bucket:" + spec.name());
    }

    private String counterKey(String name) {
        return redis.key("counter:" + name);
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

    @Override
    public CompletableFuture<Verdict> admit(Admit request) {
        List<Condition> conditions = request.conditions();
        int n = conditions.size();
        boolean take = request.take() != null;
        String[] keys = new String[n + (take ? 1 : 0)];
        byte[][] args = new byte[2 + 4 * n + (take ? 3 : 0)][];
        args[0] = ascii(n);
        args[1] = take ? ONE : ZERO;
        for (int i = 0; i < n; i++) {
            int a = 2 + 4 * i;
            if (conditions.get(i) instanceof HasTokens has) {
                keys[i] = bucketKey(has.bucket());
                args[a] = BUCKET;
                args[a + 1] = ascii(has.bucket().capacity());
                args[a + 2] = ascii(periodMillis(has.bucket()));
                args[a + 3] = ascii(has.amount());
            } else {
                WithinLimit within = (WithinLimit) conditions.get(i);
                keys[i] = counterKey(within.counter());
                args[a] = COUNTER;
                args[a + 1] = ascii(within.limit());
                args[a + 2] = ZERO;
                args[a + 3] = ascii(within.amount());
            }
        }
        if (take) {
            keys[n] = bucketKey(request.take());
            args[2 + 4 * n] = ascii(request.take().capacity());
            args[3 + 4 * n] = ascii(periodMillis(request.take()));
            args[4 + 4 * n] = ascii(request.takeAmount());
        }
        return call(() -> this.<List<Object>>run(admit, ScriptOutputType.MULTI, keys, args).thenApply(out -> {
            List<ConditionState> states = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int at = 1 + 4 * i;
                boolean holds = number(out.get(at)) == 1;
                if (conditions.get(i) instanceof HasTokens) {
                    states.add(new ConditionState(holds, state(holds, out, at), 0));
                } else {
                    states.add(new ConditionState(holds, null, number(out.get(at + 1))));
                }
            }
            BucketState taken = null;
            if (take) {
                int at = 1 + 4 * n;
                taken = state(number(out.get(at)) == 1, out, at);
            }
            return new Verdict((int) number(out.get(0)), states, taken);
        }));
    }

    private static BucketState state(boolean ok, List<Object> out, int at) {
        return new BucketState(ok, number(out.get(at + 1)), Duration.ofMillis(number(out.get(at + 2))), Duration.ofMillis(number(out.get(at + 3))));
    }

    private static long number(Object value) {
        return value instanceof Long l ? l : Long.parseLong(String.valueOf(value));
    }

    private static long periodMillis(BucketSpec spec) {
        return Math.max(1, spec.period().toMillis());
    }

    @Override
    public CompletableFuture<BucketState> tryTake(BucketSpec spec, long amount) {
        return admit(new Admit(List.of(), spec, amount)).thenApply(Verdict::taken);
    }

    @Override
    public CompletableFuture<BucketState> peek(BucketSpec spec, long amount) {
        return admit(new Admit(List.of(new HasTokens(spec, amount)), null, 0)).thenApply(v -> v.conditions().get(0).bucket());
    }

    @Override
    public CompletableFuture<BucketState> charge(BucketSpec spec, long amount) {
        return call(() -> this.<List<Object>>run(charge, ScriptOutputType.MULTI, new String[] {bucketKey(spec)},
                ascii(spec.capacity()), ascii(periodMillis(spec)), ascii(amount))
                .thenApply(out -> new BucketState(true, number(out.get(0)), Duration.ZERO, Duration.ofMillis(number(out.get(1))))));
    }

    @Override
    public CompletableFuture<List<Long>> counters(List<String> names) {
        return call(() -> {
            RedisClusterAsyncCommands<String, byte[]> commands = commands();
            List<CompletableFuture<byte[]>> values = new ArrayList<>(names.size());
            for (String name : names) {
                values.add(commands.get(counterKey(name)).toCompletableFuture());
            }
            return CompletableFuture.allOf(values.toArray(CompletableFuture[]::new))
                    .thenApply(v -> values.stream().map(f -> counter(f.join())).toList());
        });
    }

    private static long counter(byte[] value) {
        return value == null ? 0L : Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }

    @Override
    public CompletableFuture<Long> add(String name, long delta, Duration ttl) {
        return call(() -> this.<Long>run(add, ScriptOutputType.INTEGER, new String[] {counterKey(name)},
                ascii(delta), ascii(Math.max(1, ttl.toSeconds()))));
    }

    @Override
    public CompletableFuture<Void> seed(String name, long value, Duration ttl) {
        return call(() -> commands().set(counterKey(name), ascii(value), SetArgs.Builder.nx().ex(Math.max(1, ttl.toSeconds())))
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
