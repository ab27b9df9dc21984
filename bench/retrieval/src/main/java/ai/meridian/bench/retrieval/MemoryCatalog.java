package ai.meridian.bench.retrieval;

import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** The tools' catalog of knowledge bases, documents and jobs, in memory (the index itself is the real adapter). */
final class MemoryCatalog implements KnowledgeBaseStore {
    private final Map<String, KnowledgeBase> bases = new ConcurrentHashMap<>();
    private final Map<String, KnowledgeDocument> documents = new ConcurrentHashMap<>();
    private final Map<String, IngestionJob> jobs = new ConcurrentHashMap<>();

    private static String key(String... parts) {
        return String.join("\u0000", parts);
    }

    @Override
    public CompletableFuture<Boolean> createBase(KnowledgeBase base) {
        return CompletableFuture.completedFuture(bases.putIfAbsent(key(base.tenant(), base.name()), base) == null);
    }

    @Override
    public CompletableFuture<Optional<KnowledgeBase>> findBase(String tenant, String name) {
        return CompletableFuture.completedFuture(Optional.ofNullable(bases.get(key(tenant, name))));
    }

    @Override
    public CompletableFuture<List<KnowledgeBase>> listBases(String tenant) {
        return CompletableFuture.completedFuture(bases.values().stream().filter(b -> b.tenant().equals(tenant)).toList());
    }

    @Override
    public CompletableFuture<Boolean> deleteBase(String tenant, String name) {
        return CompletableFuture.completedFuture(bases.remove(key(tenant, name)) != null);
    }

    @Override
    public CompletableFuture<Void> saveDocument(KnowledgeDocument document) {
        documents.put(key(document.tenant(), document.knowledgeBase(), document.documentId()), document);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<KnowledgeDocument>> listDocuments(String tenant, String knowledgeBase) {
        return CompletableFuture.completedFuture(new ArrayList<>(documents.values().stream()
                .filter(d -> d.tenant().equals(tenant) && d.knowledgeBase().equals(knowledgeBase)).toList()));
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String tenant, String knowledgeBase, String documentId) {
        return CompletableFuture.completedFuture(documents.remove(key(tenant, knowledgeBase, documentId)) != null);
    }

    @Override
    public CompletableFuture<Void> saveJob(IngestionJob job) {
        jobs.put(key(job.tenant(), job.id()), job);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Optional<IngestionJob>> findJob(String tenant, String jobId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(jobs.get(key(tenant, jobId))));
    }

    @Override
    public CompletableFuture<List<IngestionJob>> staleJobs(java.time.Instant updatedBefore) {
        return CompletableFuture.completedFuture(jobs.values().stream()
                .filter(j -> !j.status().finished() && j.updatedAt().isBefore(updatedBefore)).toList());
    }
}
