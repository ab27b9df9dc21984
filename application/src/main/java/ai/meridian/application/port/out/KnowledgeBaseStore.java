package ai.meridian.application.port.out;

import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The catalog of knowledge bases, their documents and ingestion jobs, per tenant (the chunks themselves
 * live in the knowledge index). Every method is tenant-scoped. Implementations run blocking I/O on their
 * own executor; an outage completes the future with a {@code GatewayException} of kind UNAVAILABLE.
 */
public interface KnowledgeBaseStore {

    /** False when the tenant already has a knowledge base of that name. */
    CompletableFuture<Boolean> createBase(KnowledgeBase base);

    CompletableFuture<Optional<KnowledgeBase>> findBase(String tenant, String name);

    CompletableFuture<List<KnowledgeBase>> listBases(String tenant);

    /** Removes the base with its documents and jobs; false when there was none. */
    CompletableFuture<Boolean> deleteBase(String tenant, String name);

    CompletableFuture<Void> saveDocument(KnowledgeDocument document);

    CompletableFuture<List<KnowledgeDocument>> listDocuments(String tenant, String knowledgeBase);

    /** False when the document was not there. */
    CompletableFuture<Boolean> deleteDocument(String tenant, String knowledgeBase, String documentId);

    CompletableFuture<Void> saveJob(IngestionJob job);

    CompletableFuture<Optional<IngestionJob>> findJob(String tenant, String jobId);

    /**
     * Jobs of every tenant still queued or running whose last update is older than {@code updatedBefore}:
     * left behind by a replica that stopped without finishing them (a running job is updated at least every
     * heartbeat).
     */
    CompletableFuture<List<IngestionJob>> staleJobs(Instant updatedBefore);
}
