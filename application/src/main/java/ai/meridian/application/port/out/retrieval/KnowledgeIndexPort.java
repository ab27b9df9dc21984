package ai.meridian.application.port.out.retrieval;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where knowledge-base chunks live and are searched, by keywords (BM25-like, CJK-aware) and by vector
 * similarity. Every call is scoped to a tenant: one tenant's chunks are never returned to another.
 * Failures complete the future with {@link RetrievalUnavailableException}.
 */
public interface KnowledgeIndexPort {

    /** Adds or replaces chunks (by chunk id). Durable when the future completes. */
    CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks);

    CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId);

    CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope);

    /** Best keyword matches across the tenant's named knowledge bases, best first. */
    CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit);

    /** Nearest chunks to the vector across the tenant's named knowledge bases, best first. */
    CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, float[] vector, int limit);
}
