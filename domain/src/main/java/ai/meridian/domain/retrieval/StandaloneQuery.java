package ai.meridian.domain.retrieval;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.util.List;
import java.util.Optional;

/**
 * The search query for a turn when no model can rewrite a follow-up into a standalone question: the last
 * user message, whitespace collapsed, cut to what search engines accept. A follow-up such as "and in 2023?"
 * searches poorly this way, which is why the model-based rewrite is preferred when a model is reachable.
 */
public final class StandaloneQuery {
    /** Quark's unified search takes at most 500 characters. */
    public static final int MAX_CHARS = 500;

    private StandaloneQuery() {
    }

    public static Optional<String> fromLastUserMessage(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage message = messages.get(i);
            if (message.role() == Role.USER) {
                String query = message.content().replaceAll("\\s+", " ").strip();
                if (query.isEmpty()) {
                    return Optional.empty();
                }
                if (query.length() > MAX_CHARS) {
                    int cut = MAX_CHARS;
                    if (Character.isHighSurrogate(query.charAt(cut - 1))) {
                        cut--;
                    }
                    query = query.substring(0, cut).strip();
                }
                return Optional.of(query);
            }
        }
        return Optional.empty();
    }
}
