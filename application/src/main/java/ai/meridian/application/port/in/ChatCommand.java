package ai.meridian.application.port.in;

import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.conversation.ConversationRef;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat request together with who asked, and the conversation it belongs to: none (stateless, nothing is
 * stored), a new one, or a stored one to continue.
 */
public record ChatCommand(CallerContext caller, ChatRequest request, Optional<ConversationRef> conversation) {

    public ChatCommand {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(request, "request");
        conversation = conversation == null ? Optional.empty() : conversation;
    }

    /** A stateless request. */
    public ChatCommand(CallerContext caller, ChatRequest request) {
        this(caller, request, Optional.empty());
    }
}
