package ai.meridian.domain.conversation;

import java.util.Objects;
import java.util.Optional;

/** What a chat request asks of conversations: start a new one, or continue the one with this id. */
public record ConversationRef(Optional<ConversationId> existing) {
    /** The value of {@code conversation_id} (or {@code X-Conversation-Id}) that asks for a new conversation. */
    public static final String NEW = "new";

    public ConversationRef {
        Objects.requireNonNull(existing, "existing");
    }

    public static ConversationRef startNew() {
        return new ConversationRef(Optional.empty());
    }

    public static ConversationRef continuing(ConversationId id) {
        return new ConversationRef(Optional.of(id));
    }

    /** Reads a client's value: {@code new}, or an id. */
    public static ConversationRef parse(String value) {
        return NEW.equals(value) ? startNew() : continuing(new ConversationId(value));
    }

    public boolean isNew() {
        return existing.isEmpty();
    }
}
