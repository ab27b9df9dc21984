package ai.meridian.domain.response;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.ContextBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * The Responses API's {@code truncation: "auto"}: when a continued conversation does not fit the model's context
 * window, items are dropped from its beginning. The instructions and the request's own input are always sent; of the
 * history, the newest messages that fit, as one run ending at the present that never starts with an answer or a
 * tool's result (what it answers would be missing).
 */
public final class ChainTruncation {
    /** Tokens every chat prompt costs for its framing, on top of its messages. */
    private static final int PROMPT_FRAMING_TOKENS = 3;
    private final ToIntFunction<ChatMessage> messageTokens;

    public ChainTruncation(ToIntFunction<ChatMessage> messageTokens) {
        this.messageTokens = Objects.requireNonNull(messageTokens, "messageTokens");
    }

    /** The messages to send: instructions, the part of {@code history} that fits, the input. */
    public List<ChatMessage> fit(List<ChatMessage> instructions, List<ChatMessage> history, List<ChatMessage> input, ContextBudget budget) {
        int used = PROMPT_FRAMING_TOKENS + sum(instructions) + sum(input);
        int first = history.size();
        while (first > 0) {
            int cost = messageTokens.applyAsInt(history.get(first - 1));
            if (used + cost > budget.promptTokens()) {
                break;
            }
            used += cost;
            first--;
        }
        while (first < history.size() && startsMidExchange(history.get(first))) {
            first++;
        }
        List<ChatMessage> messages = new ArrayList<>(instructions.size() + history.size() - first + input.size());
        messages.addAll(instructions);
        messages.addAll(history.subList(first, history.size()));
        messages.addAll(input);
        return messages;
    }

    private static boolean startsMidExchange(ChatMessage message) {
        return message.role() == Role.ASSISTANT || message.role().isToolResult();
    }

    private int sum(List<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage m : messages) {
            total += messageTokens.applyAsInt(m);
        }
        return total;
    }
}
