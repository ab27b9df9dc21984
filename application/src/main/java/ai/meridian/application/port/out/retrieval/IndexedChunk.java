package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/**
 * A piece of a document as it is stored: ids, the document's title and url (may be empty), the text, its
 * position in the document, and its embedding.
 */
public record IndexedChunk(String chunkId, String documentId, String title, String url, String text, int position, float[] vector) {

    public IndexedChunk {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(documentId, "documentId");
        title = title == null ? "" : title;
        url = url == null ? "" : url;
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(vector, "vector");
    }
}
