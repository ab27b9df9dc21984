package ai.meridian.application.service;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ResponseCachePort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** A response cache level in a map, for the core's tests; {@link #down} makes every call fail as an unreachable store does. */
final class MapResponseCache implements ResponseCachePort {
    final Map<String, CachedAnswer> entries = new ConcurrentHashMap<>();
    final Map<String, Long> generations = new ConcurrentHashMap<>();
    volatile boolean down;
    InvalidationListener listener;

    private <T> CompletableFuture<T> run(java.util.function.Supplier<T> work) {
        if (down) {
            return CompletableFuture.failedFuture(new CacheUnavailableException("down", null));
        }
        return CompletableFuture.completedFuture(work.get());
    }

    @Override
    public CompletableFuture<Optional<CachedAnswer>> get(String key) {
        return run(() -> Optional.ofNullable(entries.get(key)));
    }

    @Override
    public CompletableFuture<Void> put(String key, CachedAnswer answer, Duration ttl) {
        return run(() -> {
            entries.put(key, answer);
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> remove(String key) {
        return run(() -> entries.remove(key) != null);
    }

    @Override
    public CompletableFuture<List<Long>> generations(List<String> scopes) {
        return run(() -> {
            List<Long> values = new ArrayList<>();
            scopes.forEach(s -> values.add(generations.getOrDefault(s, 0L)));
            return values;
        });
    }

    @Override
    public CompletableFuture<Long> bump(String scope) {
        return run(() -> generations.merge(scope, 1L, Long::sum));
    }

    @Override
    public CompletableFuture<Void> adopt(List<String> scopes, List<Long> values) {
        return run(() -> {
            for (int i = 0; i < scopes.size(); i++) {
                generations.put(scopes.get(i), values.get(i));
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> clear() {
        return run(() -> {
            entries.clear();
            return null;
        });
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(!down);
    }

    @Override
    public LevelStats stats() {
        return new LevelStats(entries.size(), -1, 0, 0);
    }

    @Override
    public void listen(InvalidationListener listener) {
        this.listener = listener;
    }
}
