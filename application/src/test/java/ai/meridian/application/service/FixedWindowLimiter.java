package ai.meridian.application.service;

import ai.meridian.application.port.out.RateLimiterPort;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A limiter for the core's tests: buckets that refill whole at the end of each period, counters in a map; can be made to fail. */
final class FixedWindowLimiter implements RateLimiterPort {
    private final Clock clock;
    private final Map<String, long[]> buckets = new ConcurrentHashMap<>(); // [used, windowStartMillis]
    private final Map<String, Long> counters = new ConcurrentHashMap<>();
    volatile boolean down;
    int calls;
    /** Admissions asked for (each a single decision, however many primitive calls it is made of here). */
    int admissions;

    FixedWindowLimiter(Clock clock) {
        this.clock = clock;
    }

    private synchronized long[] window(BucketSpec spec) {
        long now = clock.millis();
        long[] state = buckets.computeIfAbsent(spec.name(), k -> new long[] {0, now});
        if (now - state[1] >= spec.period().toMillis()) {
            state[0] = 0;
            state[1] = now;
        }
        return state;
    }

    private <T> CompletableFuture<T> answer(java.util.function.Supplier<T> value) {
        synchronized (this) {
            calls++;
        }
        if (down) {
            return CompletableFuture.failedFuture(new LimiterUnavailableException("down", null));
        }
        return CompletableFuture.completedFuture(value.get());
    }

    private BucketState state(BucketSpec spec, long[] w, boolean taken, long amount) {
        Duration untilFull = Duration.ofMillis(spec.period().toMillis() - (clock.millis() - w[1]));
        long remaining = spec.capacity() - w[0];
        return new BucketState(taken, remaining, taken || remaining >= amount ? Duration.ZERO : untilFull, w[0] == 0 ? Duration.ZERO : untilFull);
    }

    @Override
    public CompletableFuture<Verdict> admit(Admit request) {
        synchronized (this) {
            admissions++;
        }
        return RateLimiterPort.super.admit(request);
    }

    @Override
    public CompletableFuture<BucketState> tryTake(BucketSpec bucket, long amount) {
        return answer(() -> {
            synchronized (this) {
                long[] w = window(bucket);
                boolean ok = bucket.capacity() - w[0] >= amount;
                if (ok) {
                    w[0] += amount;
                }
                return state(bucket, w, ok, amount);
            }
        });
    }

    @Override
    public CompletableFuture<BucketState> peek(BucketSpec bucket, long amount) {
        return answer(() -> {
            synchronized (this) {
                long[] w = window(bucket);
                return state(bucket, w, bucket.capacity() - w[0] >= amount, amount);
            }
        });
    }

    @Override
    public CompletableFuture<BucketState> charge(BucketSpec bucket, long amount) {
        return answer(() -> {
            synchronized (this) {
                long[] w = window(bucket);
                w[0] += amount;
                return state(bucket, w, true, amount);
            }
        });
    }

    @Override
    public CompletableFuture<List<Long>> counters(List<String> names) {
        return answer(() -> names.stream().map(n -> counters.getOrDefault(n, 0L)).toList());
    }

    @Override
    public CompletableFuture<Long> add(String name, long delta, Duration ttl) {
        return answer(() -> counters.merge(name, delta, Long::sum));
    }

    @Override
    public CompletableFuture<Void> seed(String name, long value, Duration ttl) {
        return answer(() -> {
            counters.putIfAbsent(name, value);
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return down ? CompletableFuture.failedFuture(new LimiterUnavailableException("down", null)) : CompletableFuture.completedFuture(true);
    }

    Instant now() {
        return clock.instant();
    }
}
