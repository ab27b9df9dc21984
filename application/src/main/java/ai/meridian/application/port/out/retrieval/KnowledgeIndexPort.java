package ai.meridian.application.port.out.retrieval;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where knowledge-base chunks live and are searched, by keywords (BM25-like, CJK-aware) and by vector
 * similarity. Every call is scoped to a tenant: one tenant's chunks are never returned to another.
 * Failures complete the future with {@link RetrievalUnavailableException}.
 */
public interface KnowledgeIndexPort {

    /** The most hits one search may ask for: more than any grounding or evaluation needs; bounds the work one call can cause. */
    int MAX_LIMIT = 1000;

    /** Adds or replaces chunks (by chunk id). Durable when the future completes. */
    CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks);

    CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId);

    CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope);

    /** Best keyword matches across the tenant's named knowledge bases, best first. */
    CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit);

    /** Nearest chunks to the vector across the tenant's named knowledge bases, best first. */
    CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, float[] vector, int limit);

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
