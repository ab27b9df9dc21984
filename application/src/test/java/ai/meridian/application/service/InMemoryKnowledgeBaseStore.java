package ai.meridian.application.service;

import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A catalog in memory, for service tests. */
final class InMemoryKnowledgeBaseStore implements KnowledgeBaseStore {
    private final Map<String, KnowledgeBase> bases = new LinkedHashMap<>();
    private final Map<String, KnowledgeDocument> documents = new LinkedHashMap<>();
    private final Map<String, IngestionJob> jobs = new LinkedHashMap<>();

    private static String key(String tenant, String name) {
        return tenant + "\u0000" + name;
    }

    @Override
    public synchronized CompletableFuture<Boolean> createBase(KnowledgeBase base) {
        return CompletableFuture.completedFuture(bases.putIfAbsent(key(base.tenant(), base.name()), base) == null);
    }

    @Override
    public synchronized CompletableFuture<Optional<KnowledgeBase>> findBase(String tenant, String name) {
        return CompletableFuture.completedFuture(Optional.ofNullable(bases.get(key(tenant, name))));
    }

    @Override
    public synchronized CompletableFuture<List<KnowledgeBase>> listBases(String tenant) {
        return CompletableFuture.completedFuture(bases.values().stream().filter(b -> b.tenant().equals(tenant)).toList());
    }

    @Override
    public synchronized CompletableFuture<Boolean> deleteBase(String tenant, String name) {
        documents.values().removeIf(d -> d.tenant().equals(tenant) && d.knowledgeBase().equals(name));
        return CompletableFuture.completedFuture(bases.remove(key(tenant, name)) != null);
    }

    @Override
    public synchronized CompletableFuture<Void> saveDocument(KnowledgeDocument document) {
        documents.put(key(document.tenant(), document.documentId()), document);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<List<KnowledgeDocument>> listDocuments(String tenant, String knowledgeBase) {
        return CompletableFuture.completedFuture(new ArrayList<>(documents.values().stream()
                .filter(d -> d.tenant().equals(tenant) && d.knowledgeBase().equals(knowledgeBase)).toList()));
    }

    @Override
    public synchronized CompletableFuture<Boolean> deleteDocument(String tenant, String knowledgeBase, String documentId) {
        KnowledgeDocument d = documents.get(key(tenant, documentId));
        if (d == null || !d.knowledgeBase().equals(knowledgeBase)) {
            return CompletableFuture.completedFuture(false);
        }
        documents.remove(key(tenant, documentId));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletableFuture<Void> saveJob(IngestionJob job) {
        jobs.put(key(job.tenant(), job.id()), job);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Optional<IngestionJob>> findJob(String tenant, String jobId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(jobs.get(key(tenant, jobId))));
    }

    @Override
    public synchronized CompletableFuture<List<IngestionJob>> staleJobs(java.time.Instant updatedBefore) {
        return CompletableFuture.completedFuture(jobs.values().stream()
                .filter(j -> !j.status().finished() && j.updatedAt().isBefore(updatedBefore)).toList());
    }
}
