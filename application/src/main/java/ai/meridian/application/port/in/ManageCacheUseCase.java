package ai.meridian.application.port.in;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What an administrator does with the response cache: purge it (everything, a tenant's answers, a model's, or one
 * answer by the key its response named) and read where it stands. The operator may purge any tenant's; a tenant's
 * admin only its own tenant's.
 */
public interface ManageCacheUseCase {

    /**
     * Purges what the filters name: with {@code key}, that one answer (of {@code tenant}, by default the caller's);
     * else every answer of {@code tenant} and/or {@code model}; with neither (operator only), every answer.
     */
    CompletableFuture<Purge> purge(CallerContext caller, Optional<String> tenant, Optional<String> model, Optional<String> key);

    CompletableFuture<CacheState> state(CallerContext caller);

    /** What was purged: {@code scope} (all, tenant, model, tenant_model, key), the filters, whether an entry was found (key
     * purges), and whether the shared level has it already ({@code false}: it is sent when the shared level is back). */
    record Purge(String scope, Optional<String> tenant, Optional<String> model, Optional<String> key, boolean found, boolean shared) {
    }

    /** Whether caching is on, whether the shared level is used and reachable, and each level's figures. */
    record CacheState(boolean enabled, boolean sharedLevel, boolean sharedUp, String lastFailure, Level l1, Optional<Level> l2) {
    }

    record Level(long entries, long bytes, long evictedBySize, long expired) {
    }
}
