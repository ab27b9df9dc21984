package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The knowledge index as ingestion, deletion and re-embedding write to it: every write to a knowledge base (a
 * document added, replaced or deleted, the base deleted, chunks re-embedded) raises the base's generation in the
 * response cache once the write is done (or failed: it may have changed something), so answers grounded in the base
 * are stale from then on, on every replica. An answer whose lookup came before the raise recorded the old generation,
 * so one produced while the write was under way is never served either.
 */
public final class CacheInvalidatingIndex implements KnowledgeIndexPort {
    private final KnowledgeIndexPort index;
    private final ResponseCache cache;

    public CacheInvalidatingIndex(KnowledgeIndexPort index, ResponseCache cache) {
        this.index = Objects.requireNonNull(index, "index");
        this.cache = Objects.requireNonNull(cache, "cache");
    }

    private <T> CompletableFuture<T> changing(KnowledgeScope scope, CompletableFuture<T> write) {
        return write.handle((value, error) -> null).thenCompose(ignored -> CompletableFuture.allOf(
                cache.raise(CacheKeys.knowledgeBaseScope(scope.tenant(), scope.knowledgeBase())),
                cache.raise(CacheKeys.anyKnowledgeBaseScope(scope.tenant())))).exceptionally(e -> null).thenCompose(v -> write);
    }

    @Override
    public CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks) {
        return changing(scope, index.upsert(scope, chunks));
    }

    @Override
    public CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId) {
        return changing(scope, index.deleteDocument(scope, documentId));
    }

    @Override
    public CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope) {
        return changing(scope, index.deleteKnowledgeBase(scope));
    }

    @Override
    public CompletableFuture<List<ScoredChunk>> search(ChunkQuery query) {
        return index.search(query);
    }

    @Override
    public CompletableFuture<List<StoredChunk>> chunksOutside(Set<String> spaces, int limit) {
        return index.chunksOutside(spaces, limit);
    }

    @Override
    public CompletableFuture<Long> countOutside(KnowledgeScope scope, Set<String> spaces) {
        return index.countOutside(scope, spaces);
    }
}
