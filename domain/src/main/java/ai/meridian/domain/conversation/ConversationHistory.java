package ai.meridian.domain.conversation;

import ai.meridian.domain.chat.Role;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a request continuing a conversation starts from: the conversation, its system turns (always sent),
 * the running summary if any, and the newest turns after the summary, oldest first.
 */
public record ConversationHistory(Conversation conversation, List<StoredTurn> systemTurns, Optional<RunningSummary> summary,
                                  List<StoredTurn> recentTurns) {

    public ConversationHistory {
        Objects.requireNonNull(conversation, "conversation");
        systemTurns = List.copyOf(systemTurns);
        summary = summary == null ? Optional.empty() : summary;
        recentTurns = List.copyOf(recentTurns);
        if (systemTurns.stream().anyMatch(t -> t.turn().role() != Role.SYSTEM)) {
            throw new IllegalArgumentException("systemTurns holds system turns only");
        }
        for (int i = 1; i < recentTurns.size(); i++) {
            if (recentTurns.get(i).seq() <= recentTurns.get(i - 1).seq()) {
                throw new IllegalArgumentException("recent turns must be in sequence order");
            }
        }
    }
}
