package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store of cached answers: in this process (the first level) or shared by every replica (the second). Besides
 * entries it keeps generation counters: named scopes (a tenant, a model, a knowledge base) whose counter is raised to
 * make every entry that depends on the scope stale at once, on every replica, without finding the entries. The core
 * composes the levels, decides what is cacheable and under which key; an adapter only stores.
 *
 * <p>Keys and scope names are chosen by the core (printable, at most a few hundred characters). A shared store that
 * cannot be reached fails every call at once with {@link CacheUnavailableException}; the core then serves from the
 * first level alone and probes until the shared one is back.
 */
public interface ResponseCachePort {

    /** The answer stored under {@code key}, unless there is none or it has expired. */
    CompletableFuture<Optional<CachedAnswer>> get(String key);

    /** Stores (or replaces) the answer under {@code key} for {@code ttl}. */
    CompletableFuture<Void> put(String key, CachedAnswer answer, Duration ttl);

    /** Removes the entry; true when there was one. */
    CompletableFuture<Boolean> remove(String key);

    /** The counters of the scopes, in order (0 for a scope whose counter was never raised). */
    CompletableFuture<List<Long>> generations(List<String> scopes);

    /** Raises a scope's counter by one and answers its new value. */
    CompletableFuture<Long> bump(String scope);

    /** Sets each scope's counter to the given value (a first level adopting what the shared level says). */
    CompletableFuture<Void> adopt(List<String> scopes, List<Long> values);

    /** Removes every entry (a first level after an outage of the shared one, when it may have missed invalidations). */
    CompletableFuture<Void> clear();

    /** True when the store answers; a store in this process always does. */
    CompletableFuture<Boolean> probe();

    /** Figures for metrics: entries and bytes held (-1 when the store cannot tell cheaply), evictions so far by cause. */
    LevelStats stats();

    /**
     * Lets the store tell the core what other replicas did (a generation raised, an entry removed) and that the store
     * came back after losing its connection. Stores in this process have nothing to tell.
     */
    default void listen(InvalidationListener listener) {
    }

    /** What a shared store hears from other replicas. */
    interface InvalidationListener {
        void generationRaised(String scope, long value);

        void removed(String key);

        /** The connection to the store was lost and is back: invalidations may have been missed meanwhile. */
        void reconnected();
    }

    /** Entries and bytes held now (-1: unknown), and evictions so far: by size bound, by expiry. */
    record LevelStats(long entries, long bytes, long evictedBySize, long expired) {
        public static final LevelStats UNKNOWN = new LevelStats(-1, -1, 0, 0);
    }

    /** The store could not be reached or did not answer in time. */
    final class CacheUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CacheUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
