package ai.meridian.application.port.out.retrieval;

import ai.meridian.domain.knowledge.DocumentMetadata;
import java.util.Objects;

/**
 * A piece of a document as it is stored: ids, the document's title and url (may be empty), the text, its
 * position in the document, its embedding and the vector space it lives in (the embedding model's name: vectors
 * of different spaces are never compared), and the document's metadata (filtered on at search time).
 */
public record IndexedChunk(String chunkId, String documentId, String title, String url, String text, int position,
                           String space, float[] vector, DocumentMetadata metadata) {
    /** The space of chunks whose embedder did not name one (tests, tools). */
    public static final String DEFAULT_SPACE = "default";

    public IndexedChunk {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(documentId, "documentId");
        title = title == null ? "" : title;
        url = url == null ? "" : url;
        Objects.requireNonNull(text, "text");
        VectorSpaces.check(space);
        Objects.requireNonNull(vector, "vector");
        metadata = metadata == null ? DocumentMetadata.EMPTY : metadata;
    }

    /** A chunk in the default space without metadata. */
    public IndexedChunk(String chunkId, String documentId, String title, String url, String text, int position, float[] vector) {
        this(chunkId, documentId, title, url, text, position, DEFAULT_SPACE, vector, DocumentMetadata.EMPTY);
    }

    public IndexedChunk withVector(String newSpace, float[] newVector) {
        return new IndexedChunk(chunkId, documentId, title, url, text, position, newSpace, newVector, metadata);
    }
}
