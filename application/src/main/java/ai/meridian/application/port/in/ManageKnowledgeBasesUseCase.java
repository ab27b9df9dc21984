package ai.meridian.application.port.in;

import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A tenant wants to manage its knowledge bases: create, list, read, delete them, and list or delete their
 * documents. Unknown names are 404s; a name taken is a 409; writes by a read-only key, and bases the key may not use,
 * are 403s.
 */
public interface ManageKnowledgeBasesUseCase {

    CompletableFuture<KnowledgeBase> create(CallerContext caller, String name, String description);

    CompletableFuture<List<KnowledgeBaseSummary>> list(CallerContext caller);

    CompletableFuture<KnowledgeBaseSummary> get(CallerContext caller, String name);

    CompletableFuture<Void> delete(CallerContext caller, String name);

    CompletableFuture<List<KnowledgeDocument>> documents(CallerContext caller, String knowledgeBase);

    CompletableFuture<Void> deleteDocument(CallerContext caller, String knowledgeBase, String documentId);

    /**
     * A knowledge base with its document and chunk counts, the embedding models its chunks are embedded with now, and
     * how many chunks still wait to be re-embedded after a change of model (0 once the background re-embedding is done).
     */
    record KnowledgeBaseSummary(KnowledgeBase base, int documents, int chunks, List<String> models, long staleChunks) {
        public KnowledgeBaseSummary {
            models = List.copyOf(models);
        }

        public KnowledgeBaseSummary(KnowledgeBase base, int documents, int chunks) {
            this(base, documents, chunks, List.of(), 0);
        }
    }
}
