package ai.meridian.adapter.out.caffeine;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ResponseCachePort;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The response cache's first level, in this process: Caffeine, bounded by the bytes its answers hold (each weighed
 * by {@link CachedAnswer#approximateBytes()}), each entry expiring after its own ttl, evictions counted by cause.
 * Every call completes at once on the caller's thread: a first-level hit costs a map lookup, no hop. Generation
 * counters are a map (the level's own, or the mirror of the shared level's).
 */
public final class CaffeineResponseCache implements ResponseCachePort {
    private final Cache<String, Stored> entries;
    private final ConcurrentHashMap<String, AtomicLong> generations = new ConcurrentHashMap<>();
    private final LongAdder evictedBySize = new LongAdder();
    private final LongAdder expired = new LongAdder();

    /** An answer and how long it lives. */
    private record Stored(CachedAnswer answer, long ttlNanos, int weight) {
    }

    public CaffeineResponseCache(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("the first level's size bound must be positive");
        }
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String key, Stored stored) -> stored.weight())
                .expireAfter(new Expiry<String, Stored>() {
                    @Override
                    public long expireAfterCreate(String key, Stored stored, long now) {
                        return stored.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Stored stored, long now, long currentDuration) {
                        return stored.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Stored stored, long now, long currentDuration) {
                        return currentDuration;
                    }
                })
                // Expired entries leave on time (and are counted), not only when the cache is next written.
                .scheduler(Scheduler.systemScheduler())
                .removalListener((String key, Stored stored, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictedBySize.increment();
                    } else if (cause == RemovalCause.EXPIRED) {
                        expired.increment();
                    }
                })
                .build();
    }

    @Override
    public CompletableFuture<Optional<CachedAnswer>> get(String key) {
        Stored stored = entries.getIfPresent(key);
        return CompletableFuture.completedFuture(stored == null ? Optional.empty() : Optional.of(stored.answer()));
    }

    @Override
    public CompletableFuture<Void> put(String key, CachedAnswer answer, Duration ttl) {
        if (!ttl.isNegative() && !ttl.isZero()) {
            entries.put(key, new Stored(answer, ttl.toNanos(), Math.max(1, answer.approximateBytes() + 2 * key.length())));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> remove(String key) {
        return CompletableFuture.completedFuture(entries.asMap().remove(key) != null);
    }

    @Override
    public CompletableFuture<List<Long>> generations(List<String> scopes) {
        List<Long> values = new ArrayList<>(scopes.size());
        for (String scope : scopes) {
            AtomicLong value = generations.get(scope);
            values.add(value == null ? 0L : value.get());
        }
        return CompletableFuture.completedFuture(values);
    }

    @Override
    public CompletableFuture<Long> bump(String scope) {
        return CompletableFuture.completedFuture(generations.computeIfAbsent(scope, s -> new AtomicLong()).incrementAndGet());
    }

    @Override
    public CompletableFuture<Void> adopt(List<String> scopes, List<Long> values) {
        for (int i = 0; i < scopes.size(); i++) {
            generations.computeIfAbsent(scopes.get(i), s -> new AtomicLong()).set(values.get(i));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> clear() {
        entries.invalidateAll();
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public LevelStats stats() {
        entries.cleanUp(); // pending evictions first: the figures are read by metrics scrapes, not per request
        long bytes = entries.policy().eviction().map(e -> e.weightedSize().orElse(-1)).orElse(-1L);
        return new LevelStats(entries.estimatedSize(), bytes, evictedBySize.sum(), expired.sum());
    }
}
