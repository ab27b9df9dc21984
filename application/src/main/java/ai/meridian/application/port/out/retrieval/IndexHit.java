package ai.meridian.application.port.out.retrieval;

import ai.meridian.domain.knowledge.DocumentMetadata;
import java.util.Objects;

/** A chunk a search found, with a score (higher is better) and its document's metadata. */
public record IndexHit(String chunkId, String documentId, String knowledgeBase, String title, String url, String text,
                       int position, double score, DocumentMetadata metadata) {

    public IndexHit {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(documentId, "documentId");
        Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        title = title == null ? "" : title;
        url = url == null ? "" : url;
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
    }

    public IndexHit(String chunkId, String documentId, String knowledgeBase, String title, String url, String text, int position, double score) {
        this(chunkId, documentId, knowledgeBase, title, url, text, position, score, DocumentMetadata.EMPTY);
    }

    public IndexHit withScore(double newScore) {
        return new IndexHit(chunkId, documentId, knowledgeBase, title, url, text, position, newScore, metadata);
    }
}
