package ai.meridian.domain.retrieval;

/** One chunk of a document: its position, text, where it came from in the document, and its size in tokens. */
public record TextChunk(int position, String text, int start, int end, int tokens) {

    public TextChunk {
        if (position < 0 || start < 0 || end < start || tokens < 0) {
            throw new IllegalArgumentException("a chunk needs a position >= 0 and a range within the document");
        }
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a chunk needs text");
        }
    }
}
