package ai.meridian.application.port.out.retrieval;

import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Where knowledge-base chunks live and are searched, by keywords (BM25, CJK-aware) and by vector similarity in
 * named vector spaces. Every call is scoped to a tenant: one tenant's chunks are never returned to another.
 * Failures complete the future with {@link RetrievalUnavailableException}.
 *
 * <p>Vector search is exact-enough: exact below a size where exhaustive search is fast, an approximate index
 * searched with enough candidates above it, and ties broken by chunk id, so the same chunks give the same ranking.
 */
public interface KnowledgeIndexPort {

    /** The most hits one search may ask for: more than any grounding or evaluation needs; bounds the work one call can cause. */
    int MAX_LIMIT = 1000;

    /** Adds or replaces chunks (by chunk id). Durable when the future completes. */
    CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks);

    CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId);

    CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope);

    /**
     * The best keyword and the nearest candidates of the query (each up to {@code candidates}) among the chunks
     * whose document passes its filter, every one scored both ways (see {@link ScoredChunk}); in no particular order.
     */
    CompletableFuture<List<ScoredChunk>> search(ChunkQuery query);

    /** Chunks of any tenant whose vector is in none of {@code spaces} (stale after a change of model), up to {@code limit}. */
    CompletableFuture<List<StoredChunk>> chunksOutside(Set<String> spaces, int limit);

    /** How many chunks of the scope (null: of every tenant) have their vector in none of {@code spaces}. */
    CompletableFuture<Long> countOutside(KnowledgeScope scope, Set<String> spaces);

    /** Best keyword matches across the tenant's named knowledge bases, best first; scores are normalised BM25 (0..1). */
    default CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit) {
        return search(ChunkQuery.keyword(tenant, knowledgeBases, query, limit)).thenApply(found -> found.stream()
                .filter(c -> c.keywordRank() > 0)
                .sorted(Comparator.comparingInt(ScoredChunk::keywordRank))
                .map(c -> c.hit().withScore(c.keyword()))
                .toList());
    }

    /** Nearest chunks of {@code space} to the vector across the tenant's named knowledge bases, best first, with cosine scores. */
    default CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, String space, float[] vector, int limit) {
        return search(ChunkQuery.nearest(tenant, knowledgeBases, space, vector, limit)).thenApply(found -> found.stream()
                .filter(c -> c.vectorRank() > 0)
                .sorted(Comparator.comparingInt(ScoredChunk::vectorRank))
                .map(c -> c.hit().withScore(c.similarity()))
                .toList());
    }

    /** What every index refuses before searching: no tenant, no list of knowledge bases, a blank name, a limit out of range. */
    static void checkSearch(String tenant, List<String> knowledgeBases, int limit) {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("tenant is required");
        }
        if (knowledgeBases == null) {
            throw new IllegalArgumentException("knowledgeBases is required (it may be empty)");
        }
        for (String knowledgeBase : knowledgeBases) {
            if (knowledgeBase == null || knowledgeBase.isBlank()) {
                throw new IllegalArgumentException("knowledge base is required");
            }
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
    }
}
