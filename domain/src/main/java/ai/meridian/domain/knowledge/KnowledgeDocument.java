package ai.meridian.domain.knowledge;

import java.time.Instant;
import java.util.Objects;

/** A document ingested into a knowledge base: where it came from, its title, how many chunks it became, its metadata. */
public record KnowledgeDocument(String tenant, String knowledgeBase, String documentId, String title, String source,
                                String contentType, int chunks, Instant createdAt, DocumentMetadata metadata) {

    public KnowledgeDocument {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        Objects.requireNonNull(documentId, "documentId");
        title = title == null ? "" : title;
        source = source == null ? "" : source;
        contentType = contentType == null ? "" : contentType;
        if (chunks < 0) {
            throw new IllegalArgumentException("chunks must not be negative");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
    }

    public KnowledgeDocument(String tenant, String knowledgeBase, String documentId, String title, String source,
                             String contentType, int chunks, Instant createdAt) {
        this(tenant, knowledgeBase, documentId, title, source, contentType, chunks, createdAt, DocumentMetadata.EMPTY);
    }
}
