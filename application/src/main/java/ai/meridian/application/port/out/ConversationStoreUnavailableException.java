package ai.meridian.application.port.out;

/** The conversation store could not be reached or did not answer in time; retrying later may succeed. */
public class ConversationStoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConversationStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
