package ai.meridian.application.port.out.retrieval;

/**
 * A retrieval source could not answer (down, throttled, out of quota, too slow). Grounding degrades
 * instead of failing: the answer is given with fewer sources and the reason as a notice.
 */
public class RetrievalUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String source;

    public RetrievalUnavailableException(String source, String reason) {
        super(reason, null, false, false);
        this.source = source;
    }

    public RetrievalUnavailableException(String source, String reason, Throwable cause) {
        super(reason, cause, false, false);
        this.source = source;
    }

    /** Which source failed, e.g. {@code quark}, {@code qdrant}, {@code embeddings}. */
    public String source() {
        return source;
    }
}
