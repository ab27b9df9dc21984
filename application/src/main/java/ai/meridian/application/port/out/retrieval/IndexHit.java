package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/** A chunk a search found, with the index's own score (BM25 or similarity; higher is better). */
public record IndexHit(String chunkId, String documentId, String knowledgeBase, String title, String url, String text,
                       int position, double score) {

    public IndexHit {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(documentId, "documentId");
        Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        title = title == null ? "" : title;
        url = url == null ? "" : url;
        Objects.requireNonNull(text, "text");
    }
}
