package ai.meridian.domain.knowledge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A background ingestion of documents into a knowledge base, with its progress: documents and chunks done
 * out of their totals (chunk totals grow as documents are read), and the error of each failed document.
 */
public record IngestionJob(String id, String tenant, String knowledgeBase, JobStatus status, int documentsTotal,
                           int documentsDone, int documentsFailed, int chunksTotal, int chunksDone, List<String> errors,
                           Instant createdAt, Instant updatedAt) {

    public IngestionJob {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        Objects.requireNonNull(status, "status");
        if (documentsTotal < 0 || documentsDone < 0 || documentsFailed < 0 || chunksTotal < 0 || chunksDone < 0
                || documentsDone + documentsFailed > documentsTotal || chunksDone > chunksTotal) {
            throw new IllegalArgumentException("inconsistent job progress");
        }
        errors = errors == null ? List.of() : List.copyOf(errors);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    public static IngestionJob queued(String id, String tenant, String knowledgeBase, int documents, Instant now) {
        return new IngestionJob(id, tenant, knowledgeBase, JobStatus.QUEUED, documents, 0, 0, 0, 0, List.of(), now, now);
    }

    public IngestionJob running(Instant now) {
        return new IngestionJob(id, tenant, knowledgeBase, JobStatus.RUNNING, documentsTotal, documentsDone, documentsFailed,
                chunksTotal, chunksDone, errors, createdAt, now);
    }

    /** A document was read and cut into {@code chunks} chunks, still to be indexed. */
    public IngestionJob chunksFound(int chunks, Instant now) {
        return new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone, documentsFailed,
                chunksTotal + chunks, chunksDone, errors, createdAt, now);
    }

    public IngestionJob chunksIndexed(int chunks, Instant now) {
        return new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone, documentsFailed,
                chunksTotal, chunksDone + chunks, errors, createdAt, now);
    }

    public IngestionJob documentDone(Instant now) {
        return settle(new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone + 1, documentsFailed,
                chunksTotal, chunksDone, errors, createdAt, now));
    }

    /** A document failed; what it had found but not indexed no longer counts toward the totals. */
    public IngestionJob documentFailed(String error, int chunksAbandoned, Instant now) {
        List<String> more = new ArrayList<>(errors);
        more.add(error);
        return settle(new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone, documentsFailed + 1,
                chunksTotal - chunksAbandoned, chunksDone, more, createdAt, now));
    }

    /** The same progress, seen alive at {@code now}: a running job's heartbeat. */
    public IngestionJob touched(Instant now) {
        return new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone, documentsFailed,
                chunksTotal, chunksDone, errors, createdAt, now);
    }

    /**
     * The job was stopped before it finished (the gateway shut down or died): the documents not done yet
     * count as failed, with {@code reason}; what they had found and not indexed no longer counts. Documents
     * already done stay in (the job then ends completed with errors, else failed).
     */
    public IngestionJob interrupted(String reason, Instant now) {
        if (status.finished()) {
            return this;
        }
        List<String> more = new ArrayList<>(errors);
        more.add(reason);
        return settle(new IngestionJob(id, tenant, knowledgeBase, status, documentsTotal, documentsDone,
                documentsTotal - documentsDone, chunksDone, chunksDone, more, createdAt, now));
    }

    /** Where the document being ingested now stands in the job's list: documents are done one after the other. */
    public int current() {
        return documentsDone + documentsFailed;
    }

    private static IngestionJob settle(IngestionJob job) {
        if (job.documentsDone + job.documentsFailed < job.documentsTotal) {
            return job;
        }
        JobStatus end = job.documentsFailed == 0 ? JobStatus.COMPLETED
                : job.documentsDone == 0 ? JobStatus.FAILED : JobStatus.COMPLETED_WITH_ERRORS;
        return new IngestionJob(job.id, job.tenant, job.knowledgeBase, end, job.documentsTotal, job.documentsDone,
                job.documentsFailed, job.chunksTotal, job.chunksDone, job.errors, job.createdAt, job.updatedAt);
    }
}
