package ai.meridian.application.service;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.ResponseStore;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.StoredResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Responses in memory, tenant by tenant, for the core's tests (the JDBC adapter has its own contract test); can be made to fail. */
final class InMemoryResponseStore implements ResponseStore {
    private final Map<String, Map<ResponseId, StoredResponse>> byTenant = new ConcurrentHashMap<>();
    volatile boolean down;

    private Map<ResponseId, StoredResponse> of(String tenant) {
        return byTenant.computeIfAbsent(tenant, t -> new ConcurrentHashMap<>());
    }

    private <T> CompletableFuture<T> unlessDown(java.util.function.Supplier<T> work) {
        if (down) {
            return CompletableFuture.failedFuture(new ConversationStoreUnavailableException("database down", null));
        }
        return CompletableFuture.completedFuture(work.get());
    }

    @Override
    public CompletableFuture<Void> save(String tenant, StoredResponse response) {
        return unlessDown(() -> {
            if (of(tenant).putIfAbsent(response.id(), response) != null) {
                throw new IllegalStateException("duplicate id");
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Optional<StoredResponse>> find(String tenant, ResponseId id) {
        return unlessDown(() -> Optional.ofNullable(of(tenant).get(id)));
    }

    @Override
    public CompletableFuture<List<StoredResponse>> chain(String tenant, ResponseId id, int maxResponses) {
        return unlessDown(() -> {
            List<StoredResponse> chain = new ArrayList<>();
            StoredResponse at = of(tenant).get(id);
            while (at != null && chain.size() < maxResponses) {
                chain.add(at);
                at = at.previous().map(of(tenant)::get).orElse(null);
            }
            Collections.reverse(chain);
            return chain;
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String tenant, ResponseId id) {
        return unlessDown(() -> of(tenant).remove(id) != null);
    }

    @Override
    public CompletableFuture<Integer> deleteCreatedBefore(Instant cutoff) {
        return unlessDown(() -> {
            int[] deleted = {0};
            byTenant.values().forEach(m -> m.values().removeIf(r -> {
                boolean old = r.createdAt().isBefore(cutoff);
                deleted[0] += old ? 1 : 0;
                return old;
            }));
            return deleted[0];
        });
    }
}
