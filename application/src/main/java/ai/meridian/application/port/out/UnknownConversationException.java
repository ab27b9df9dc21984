package ai.meridian.application.port.out;

import ai.meridian.domain.conversation.ConversationId;

/** The tenant has no conversation with this id (it never existed, was deleted, or is another tenant's). */
public class UnknownConversationException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ConversationId id;

    public UnknownConversationException(ConversationId id) {
        super("no conversation " + id.value(), null, false, false);
        this.id = id;
    }

    public ConversationId id() {
        return id;
    }
}
