package ai.meridian.bench.retrieval;

import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The tools search their one knowledge base by name through {@code KnowledgeRetriever.search}, which never
 * consults the catalog; the retriever still needs one to be built. Any use of it is a mistake in the tool.
 */
final class NoCatalog implements KnowledgeBaseStore {
    private static <T> CompletableFuture<T> refuse() {
        return CompletableFuture.failedFuture(new IllegalStateException("the retrieval tools name their knowledge base directly"));
    }

    @Override
    public CompletableFuture<Boolean> createBase(KnowledgeBase base) {
        return refuse();
    }

    @Override
    public CompletableFuture<Optional<KnowledgeBase>> findBase(String tenant, String name) {
        return refuse();
    }

    @Override
    public CompletableFuture<List<KnowledgeBase>> listBases(String tenant) {
        return refuse();
    }

    @Override
    public CompletableFuture<Boolean> deleteBase(String tenant, String name) {
        return refuse();
    }

    @Override
    public CompletableFuture<Void> saveDocument(KnowledgeDocument document) {
        return refuse();
    }

    @Override
    public CompletableFuture<List<KnowledgeDocument>> listDocuments(String tenant, String knowledgeBase) {
        return refuse();
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String tenant, String knowledgeBase, String documentId) {
        return refuse();
    }

    @Override
    public CompletableFuture<Void> saveJob(IngestionJob job) {
        return refuse();
    }

    @Override
    public CompletableFuture<Optional<IngestionJob>> findJob(String tenant, String jobId) {
        return refuse();
    }

    @Override
    public CompletableFuture<List<IngestionJob>> staleJobs(java.time.Instant updatedBefore) {
        return refuse();
    }
}
