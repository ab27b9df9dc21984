package ai.meridian.domain.conversation;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A whole conversation as a client reads it back: the conversation, its running summary, every turn in order. */
public record ConversationTranscript(Conversation conversation, Optional<RunningSummary> summary, List<StoredTurn> turns) {

    public ConversationTranscript {
        Objects.requireNonNull(conversation, "conversation");
        summary = summary == null ? Optional.empty() : summary;
        turns = List.copyOf(turns);
    }
}
