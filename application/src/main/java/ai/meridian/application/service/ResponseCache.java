package ai.meridian.application.service;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.ResponseCachePort;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The response cache's two levels as one: the first ({@code local}, in this process) in front of the second
 * ({@code shared}, e.g. Redis, optional). A lookup asks the first level, then the second (entry and generations in one
 * round trip), and copies a second-level hit into the first. An entry is served only while it is fresh: every
 * generation it recorded is still the current one (a purge or a knowledge-base change raised none of them), and it is
 * not older than the client accepts. With a second level, its generations are the truth and the first level mirrors
 * them: on every second-level read, from other replicas' broadcasts, and after each raise.
 *
 * <p>While the second level fails or is late, the cache works on the first level alone (nothing fails because of it):
 * the gateway says so once, raises and removals are kept and sent when it is back, and a probe every
 * {@code probeInterval} brings it back by itself. When it is back (or its connection was lost and restored) the first
 * level is cleared, since invalidations may have been missed meanwhile.
 */
public final class ResponseCache {
    private static final System.Logger LOG = System.getLogger(ResponseCache.class.getName());
    public static final String L1 = "l1";
    public static final String L2 = "l2";

    private final ResponseCachePort local;
    private final Optional<ResponseCachePort> shared;
    private final Duration sharedTimeout;
    private final Duration localMaxTtl;
    private final GatewayMetrics metrics;
    private final Clock clock;
    private volatile boolean sharedUp = true;
    private volatile String lastFailure = "";
    private final Set<String> pendingRaises = ConcurrentHashMap.newKeySet();
    private final Set<String> pendingRemovals = ConcurrentHashMap.newKeySet();

    public ResponseCache(ResponseCachePort local, Optional<ResponseCachePort> shared, Duration sharedTimeout, Duration localMaxTtl,
                         GatewayMetrics metrics, Clock clock) {
        this.local = Objects.requireNonNull(local, "local");
        this.shared = Objects.requireNonNull(shared, "shared");
        this.sharedTimeout = Objects.requireNonNull(sharedTimeout, "sharedTimeout");
        this.localMaxTtl = Objects.requireNonNull(localMaxTtl, "localMaxTtl");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        shared.ifPresent(store -> store.listen(new ResponseCachePort.InvalidationListener() {
            @Override
            public void generationRaised(String scope, long value) {
                local.generations(List.of(scope)).thenCompose(known -> known.get(0) >= value ? CompletableFuture.completedFuture(null)
                        : local.adopt(List.of(scope), List.of(value)));
            }

            @Override
            public void removed(String key) {
                local.remove(key);
            }

            @Override
            public void reconnected() {
                if (sharedUp) {
                    LOG.log(Level.INFO, "the shared response cache reconnected; the local level is cleared (invalidations may have been missed)");
                    local.clear();
                }
            }
        }));
    }

    /** An answer found at a level. */
    public record Found(String level, CachedAnswer answer) {
    }

    /** What a lookup found, and the generations the scopes have now (recorded with the answer if it is made now). */
    public record Lookup(Optional<Found> found, List<Long> generations) {
    }

    /** True while the second level is used (or there is none); false while the cache works on the first level alone. */
    public boolean shared() {
        return shared.isEmpty() || sharedUp;
    }

    public boolean hasSharedLevel() {
        return shared.isPresent();
    }

    public String lastFailure() {
        return lastFailure;
    }

    public ResponseCachePort.LevelStats stats(String level) {
        return level.equals(L1) ? local.stats() : shared.map(ResponseCachePort::stats).orElse(ResponseCachePort.LevelStats.UNKNOWN);
    }

    /**
     * The fresh answer under {@code key} (of {@code tenant}), not older than {@code maxAge} when given, and the scopes'
     * current generations. Never fails: a level that cannot answer counts as a miss.
     */
    public CompletableFuture<Lookup> lookup(String tenant, String key, List<String> scopes, Optional<Duration> maxAge) {
        return local.get(key).thenCompose(first -> local.generations(scopes).thenCompose(localGenerations -> {
            if (first.isPresent()) {
                if (fresh(first.get(), tenant, scopes, localGenerations, maxAge)) {
                    metrics.cacheLookup(L1, "hit");
                    return CompletableFuture.completedFuture(new Lookup(Optional.of(new Found(L1, first.get())), localGenerations));
                }
                local.remove(key);
                metrics.cacheEviction(L1, "invalidated");
            }
            metrics.cacheLookup(L1, "miss");
            if (shared.isEmpty() || !sharedUp) {
                return CompletableFuture.completedFuture(new Lookup(Optional.empty(), localGenerations));
            }
            return second(tenant, key, scopes, maxAge, localGenerations);
        })).exceptionally(error -> {
            LOG.log(Level.WARNING, "response cache lookup failed; answering without it: " + error, error);
            return new Lookup(Optional.empty(), List.of());
        });
    }

    private CompletableFuture<Lookup> second(String tenant, String key, List<String> scopes, Optional<Duration> maxAge,
                                             List<Long> localGenerations) {
        ResponseCachePort store = shared.get();
        // Both go out at once on the one connection: one round trip.
        CompletableFuture<Optional<CachedAnswer>> entry = call(() -> store.get(key));
        CompletableFuture<List<Long>> generations = call(() -> store.generations(scopes));
        return entry.thenCombine(generations, (found, current) -> {
            local.adopt(scopes, current);
            if (found.isPresent()) {
                if (fresh(found.get(), tenant, scopes, current, maxAge)) {
                    metrics.cacheLookup(L2, "hit");
                    long remaining = found.get().expiresAtMillis() - clock.millis();
                    if (remaining > 0) {
                        local.put(key, found.get(), CacheSettings.min(Duration.ofMillis(remaining), localMaxTtl));
                    }
                    return new Lookup(Optional.of(new Found(L2, found.get())), current);
                }
                metrics.cacheEviction(L2, "invalidated");
                call(() -> store.remove(key));
            }
            metrics.cacheLookup(L2, "miss");
            return new Lookup(Optional.<Found>empty(), current);
        }).exceptionally(error -> {
            down(error);
            metrics.cacheLookup(L2, "error");
            return new Lookup(Optional.empty(), localGenerations);
        });
    }

    /** The scopes' current generations (the second level's when it answers). */
    public CompletableFuture<List<Long>> generations(List<String> scopes) {
        CompletableFuture<List<Long>> mine = local.generations(scopes);
        if (shared.isEmpty() || !sharedUp) {
            return mine;
        }
        return call(() -> shared.get().generations(scopes)).thenApply(current -> {
            local.adopt(scopes, current);
            return current;
        }).exceptionallyCompose(error -> {
            down(error);
            return mine;
        });
    }

    private boolean fresh(CachedAnswer answer, String tenant, List<String> scopes, List<Long> current, Optional<Duration> maxAge) {
        long now = clock.millis();
        if (!answer.tenant().equals(tenant) || answer.expiresAtMillis() <= now) {
            return false;
        }
        if (maxAge.isPresent() && now - answer.createdAtMillis() > maxAge.get().toMillis()) {
            return false;
        }
        if (current.size() != scopes.size()) {
            return false;
        }
        for (int i = 0; i < scopes.size(); i++) {
            if (answer.generations().getOrDefault(scopes.get(i), 0L).longValue() != current.get(i).longValue()) {
                return false;
            }
        }
        return true;
    }

    /** Keeps an answer at both levels (in the background; a failure only costs the entry). */
    public void store(String key, CachedAnswer answer, Duration ttl) {
        int bytes = answer.approximateBytes();
        local.put(key, answer, CacheSettings.min(ttl, localMaxTtl)).whenComplete((ok, error) -> {
            if (error == null) {
                metrics.cacheWrite(L1, bytes);
            }
        });
        if (shared.isPresent() && sharedUp) {
            call(() -> shared.get().put(key, answer, ttl)).whenComplete((ok, error) -> {
                if (error != null) {
                    down(error);
                } else {
                    metrics.cacheWrite(L2, bytes);
                }
            });
        }
    }

    /** Raises a scope's generation at both levels (kept for the second level while it is away); completes when done. */
    public CompletableFuture<Void> raise(String scope) {
        CompletableFuture<Long> mine = local.bump(scope);
        if (shared.isEmpty()) {
            return mine.thenApply(v -> null);
        }
        if (!sharedUp) {
            pendingRaises.add(scope);
            return mine.thenApply(v -> null);
        }
        return mine.thenCompose(v -> call(() -> shared.get().bump(scope)))
                .thenCompose(value -> local.adopt(List.of(scope), List.of(value)))
                .exceptionally(error -> {
                    pendingRaises.add(scope);
                    down(error);
                    return null;
                });
    }

    /** Removes an entry at both levels; true when either had it. */
    public CompletableFuture<Boolean> remove(String key) {
        CompletableFuture<Boolean> mine = local.remove(key);
        if (shared.isEmpty()) {
            return mine;
        }
        if (!sharedUp) {
            pendingRemovals.add(key);
            return mine;
        }
        return mine.thenCombine(call(() -> shared.get().remove(key)).exceptionally(error -> {
            pendingRemovals.add(key);
            down(error);
            return false;
        }), (a, b) -> a || b);
    }

    public void probePeriodically(ScheduledExecutorService scheduler, Duration interval) {
        if (shared.isPresent()) {
            scheduler.scheduleWithFixedDelay(() -> probeOnce(), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** While on the first level alone: asks the second whether it is back; if so, sends what was kept and clears the first. */
    public CompletableFuture<Boolean> probeOnce() {
        if (shared.isEmpty() || sharedUp) {
            return CompletableFuture.completedFuture(true);
        }
        ResponseCachePort store = shared.get();
        return call(store::probe).thenCompose(up -> {
            if (!Boolean.TRUE.equals(up)) {
                return CompletableFuture.completedFuture(false);
            }
            List<String> raises = List.copyOf(pendingRaises);
            List<String> removals = List.copyOf(pendingRemovals);
            List<CompletableFuture<?>> sent = new java.util.ArrayList<>();
            raises.forEach(scope -> sent.add(call(() -> store.bump(scope))));
            removals.forEach(key -> sent.add(call(() -> store.remove(key))));
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).thenCompose(v -> {
                raises.forEach(pendingRaises::remove);
                removals.forEach(pendingRemovals::remove);
                return local.clear();
            }).thenApply(v -> {
                sharedUp = true;
                LOG.log(Level.INFO, "the shared response cache is back: answers are shared by every replica again");
                return true;
            });
        }).exceptionally(error -> false);
    }

    private void down(Throwable error) {
        if (sharedUp) {
            sharedUp = false;
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            lastFailure = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            LOG.log(Level.WARNING, "the shared response cache is unavailable ({0}): answers are cached in this process only until it is back",
                    lastFailure);
        }
    }

    private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> work) {
        try {
            return work.get().orTimeout(sharedTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
