package ai.meridian.adapter.out.bucket4j;

import ai.meridian.application.port.out.RateLimiterPort;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Limits counted in this process: a Bucket4j bucket per name (lock-free), counters in a map. This is the default,
 * and the fallback while shared limits are unreachable; each replica then counts on its own. Buckets and counters
 * nobody used for a while are dropped so that old names (a key whose limit changed, yesterday's budget) do not
 * pile up.
 */
public final class Bucket4jRateLimiter implements RateLimiterPort {
    private static final int SWEEP_ABOVE = 10_000;
    private static final long IDLE_NANOS = Duration.ofMinutes(10).toNanos();

    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    private static final class Entry {
        final Bucket bucket;
        final long periodNanos;
        volatile long lastUsed = System.nanoTime();

        Entry(BucketSpec spec) {
            this.bucket = Bucket.builder()
                    .addLimit(limit -> limit.capacity(spec.capacity()).refillIntervally(spec.capacity(), spec.period()))
                    .build();
            this.periodNanos = spec.period().toNanos();
        }
    }

    private static final class Counter {
        final AtomicLong value = new AtomicLong();
        final long expiresAtNanos;

        Counter(Duration ttl) {
            this.expiresAtNanos = System.nanoTime() + ttl.toNanos();
        }

        boolean expired(long now) {
            return now - expiresAtNanos >= 0;
        }
    }

    private Bucket bucket(BucketSpec spec) {
        Entry entry = buckets.get(spec.name());
        if (entry == null) {
            if (buckets.size() > SWEEP_ABOVE) {
                sweep();
            }
            entry = buckets.computeIfAbsent(spec.name(), n -> new Entry(spec));
        }
        entry.lastUsed = System.nanoTime();
        return entry.bucket;
    }

    private void sweep() {
        long now = System.nanoTime();
        buckets.entrySet().removeIf(e -> now - e.getValue().lastUsed > Math.max(IDLE_NANOS, 2 * e.getValue().periodNanos));
        counters.entrySet().removeIf(e -> e.getValue().expired(now));
    }

    private static BucketState state(boolean taken, long remaining, long nanosUntilAvailable, VerboseResult<?> result) {
        return new BucketState(taken, remaining, Duration.ofNanos(nanosUntilAvailable),
                Duration.ofNanos(result.getDiagnostics().calculateFullRefillingTime()));
    }

    @Override
    public CompletableFuture<BucketState> tryTake(BucketSpec spec, long amount) {
        VerboseResult<ConsumptionProbe> result = bucket(spec).asVerbose().tryConsumeAndReturnRemaining(amount);
        ConsumptionProbe probe = result.getValue();
        return CompletableFuture.completedFuture(state(probe.isConsumed(), probe.getRemainingTokens(),
                probe.isConsumed() ? 0 : probe.getNanosToWaitForRefill(), result));
    }

    @Override
    public CompletableFuture<BucketState> peek(BucketSpec spec, long amount) {
        VerboseResult<EstimationProbe> result = bucket(spec).asVerbose().estimateAbilityToConsume(amount);
        EstimationProbe probe = result.getValue();
        return CompletableFuture.completedFuture(state(probe.canBeConsumed(), result.getDiagnostics().getAvailableTokens(),
                probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill(), result));
    }

    @Override
    public CompletableFuture<BucketState> charge(BucketSpec spec, long amount) {
        VerboseResult<Long> result = bucket(spec).asVerbose().consumeIgnoringRateLimits(amount);
        long remaining = result.getDiagnostics().getAvailableTokens();
        return CompletableFuture.completedFuture(state(true, remaining, 0, result));
    }

    private Counter counter(String name, Duration ttl) {
        long now = System.nanoTime();
        return counters.compute(name, (n, existing) -> existing == null || existing.expired(now) ? new Counter(ttl) : existing);
    }

    @Override
    public CompletableFuture<List<Long>> counters(List<String> names) {
        long now = System.nanoTime();
        List<Long> values = new ArrayList<>(names.size());
        for (String name : names) {
            Counter c = counters.get(name);
            values.add(c == null || c.expired(now) ? 0L : c.value.get());
        }
        return CompletableFuture.completedFuture(values);
    }

    @Override
    public CompletableFuture<Long> add(String name, long delta, Duration ttl) {
        if (counters.size() > SWEEP_ABOVE) {
            sweep();
        }
        return CompletableFuture.completedFuture(counter(name, ttl).value.addAndGet(delta));
    }

    @Override
    public CompletableFuture<Void> seed(String name, long value, Duration ttl) {
        long now = System.nanoTime();
        counters.compute(name, (n, existing) -> {
            if (existing != null && !existing.expired(now)) {
                return existing;
            }
            Counter seeded = new Counter(ttl);
            seeded.value.set(value);
            return seeded;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(true);
    }
}
