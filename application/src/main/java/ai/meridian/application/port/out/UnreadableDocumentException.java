package ai.meridian.application.port.out;

/** A document whose text could not be read, and why. */
public class UnreadableDocumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnreadableDocumentException(String reason) {
        super(reason, null, false, false);
    }
}
