package ai.meridian.application.port.in;

import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A tenant wants to manage its knowledge bases: create, list, read, delete them, and list or delete their
 * documents. Unknown names are 404s; a name taken is a 409.
 */
public interface ManageKnowledgeBasesUseCase {

    CompletableFuture<KnowledgeBase> create(String tenant, String name, String description);

    CompletableFuture<List<KnowledgeBaseSummary>> list(String tenant);

    CompletableFuture<KnowledgeBaseSummary> get(String tenant, String name);

    CompletableFuture<Void> delete(String tenant, String name);

    CompletableFuture<List<KnowledgeDocument>> documents(String tenant, String knowledgeBase);

    CompletableFuture<Void> deleteDocument(String tenant, String knowledgeBase, String documentId);

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
