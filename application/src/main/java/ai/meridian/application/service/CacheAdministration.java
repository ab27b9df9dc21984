package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageCacheUseCase;
import ai.meridian.application.port.out.ResponseCachePort.LevelStats;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Purges and reads the response cache for administrators. Purges by tenant and model raise a generation (every
 * entry depending on it is stale at once, on every replica, without finding the entries); a purge by key removes the
 * entry at both levels. A tenant's admin purges only its own tenant: another tenant named is a 404, like an unknown one.
 */
public final class CacheAdministration implements ManageCacheUseCase {
    private final ResponseCache cache;
    private final CacheSettings settings;

    public CacheAdministration(ResponseCache cache, CacheSettings settings) {
        this.cache = Objects.requireNonNull(cache, "cache");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public CompletableFuture<Purge> purge(CallerContext caller, Optional<String> tenant, Optional<String> model, Optional<String> key) {
        try {
            AccessDenied.require(caller, Action.ADMINISTER);
            Optional<String> scopedTenant = tenant;
            if (!caller.access().operator()) {
                if (tenant.isPresent() && !tenant.get().equals(caller.tenant())) {
                    throw AccessDenied.notFound("The tenant '" + tenant.get() + "' does not exist.");
                }
                scopedTenant = Optional.of(caller.tenant());
            }
            if (key.isPresent()) {
                if (!CacheKeys.isKey(key.get())) {
                    throw GatewayException.invalid("key", "Invalid 'key': a cache key is the 64 hexadecimal digits of the x-meridian-cache-key header.");
                }
                String owner = scopedTenant.orElse(caller.tenant());
                Optional<String> t = Optional.of(owner);
                return cache.remove(CacheKeys.storeKey(owner, key.get()))
                        .thenApply(found -> new Purge("key", t, Optional.empty(), key, found, cache.shared()));
            }
            String scope;
            String kind;
            if (scopedTenant.isPresent() && model.isPresent()) {
                scope = CacheKeys.tenantModelScope(scopedTenant.get(), model.get());
                kind = "tenant_model";
            } else if (scopedTenant.isPresent()) {
                scope = CacheKeys.tenantScope(scopedTenant.get());
                kind = "tenant";
            } else if (model.isPresent()) {
                scope = CacheKeys.modelScope(model.get());
                kind = "model";
            } else {
                scope = CacheKeys.ALL;
                kind = "all";
            }
            Optional<String> t = scopedTenant;
            return cache.raise(scope).thenApply(v -> new Purge(kind, t, model, Optional.empty(), true, cache.shared()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<CacheState> state(CallerContext caller) {
        try {
            AccessDenied.require(caller, Action.ADMINISTER);
            Optional<Level> l2 = cache.hasSharedLevel() ? Optional.of(level(cache.stats(ResponseCache.L2))) : Optional.empty();
            return CompletableFuture.completedFuture(new CacheState(settings.enabled(), cache.hasSharedLevel(), cache.shared(),
                    cache.lastFailure(), level(cache.stats(ResponseCache.L1)), l2));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Level level(LevelStats stats) {
        return new Level(stats.entries(), stats.bytes(), stats.evictedBySize(), stats.expired());
    }
}
