package ai.meridian.domain.conversation;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * Chooses what of a conversation is sent with a new request so that the prompt fits the model's budget.
 * Always sent: the system prompt(s) and the request's own new messages. Then the running summary, if it
 * fits. Then as many of the newest turns as fit, as one unbroken run ending at the present; older turns
 * are dropped (and may be folded into the summary later). A kept run never starts with an assistant or tool
 * turn, so the model never sees an answer without its question, nor a tool's result without the call it answers.
 */
public final class ContextWindowPolicy {
    /** Tokens every chat prompt costs for its framing, on top of its messages. */
    static final int PROMPT_FRAMING_TOKENS = 3;

    private final ToIntFunction<ChatMessage> messageTokens;

    /** {@code messageTokens} counts one message as a backend bills it, framing included. */
    public ContextWindowPolicy(ToIntFunction<ChatMessage> messageTokens) {
        this.messageTokens = Objects.requireNonNull(messageTokens, "messageTokens");
    }

    /** The messages to send, and which stored turns were kept and dropped. */
    public record Window(List<ChatMessage> messages, List<StoredTurn> kept, List<StoredTurn> dropped,
                         boolean summaryIncluded, int promptTokens) {
        public Window {
            messages = List.copyOf(messages);
            kept = List.copyOf(kept);
            dropped = List.copyOf(dropped);
        }
    }

    /**
     * Fits a request into {@code budget}.
     *
     * @param systemPrompt the system messages for this request (the stored ones, or the request's own)
     * @param summary      the running summary of turns older than {@code history}
     * @param history      stored non-system turns after the summary, oldest first
     * @param newMessages  the request's own non-system messages, always sent
     */
    public Window fit(List<ChatMessage> systemPrompt, Optional<RunningSummary> summary, List<StoredTurn> history,
                      List<ChatMessage> newMessages, ContextBudget budget) {
        int used = PROMPT_FRAMING_TOKENS + sum(systemPrompt) + sum(newMessages);
        Optional<ChatMessage> summaryMessage = summary.map(ContextWindowPolicy::summaryMessage);
        boolean summaryIncluded = false;
        if (summaryMessage.isPresent()) {
            int cost = messageTokens.applyAsInt(summaryMessage.get());
            if (used + cost <= budget.promptTokens()) {
                used += cost;
                summaryIncluded = true;
            }
        }
        int firstKept = history.size();
        while (firstKept > 0) {
            int cost = messageTokens.applyAsInt(history.get(firstKept - 1).turn().asMessage());
            if (used + cost > budget.promptTokens()) {
                break;
            }
            used += cost;
            firstKept--;
        }
        while (firstKept < history.size() && startsMidExchange(history.get(firstKept).turn())) {
            used -= messageTokens.applyAsInt(history.get(firstKept).turn().asMessage());
            firstKept++;
        }
        List<StoredTurn> kept = history.subList(firstKept, history.size());
        List<ChatMessage> messages = new ArrayList<>(systemPrompt);
        if (summaryIncluded) {
            messages.add(summaryMessage.get());
        }
        kept.forEach(t -> messages.add(t.turn().asMessage()));
        messages.addAll(newMessages);
        return new Window(messages, kept, history.subList(0, firstKept), summaryIncluded, used);
    }

    /** An answer or a tool result cannot open the kept history: what it answers would be missing. */
    private static boolean startsMidExchange(Turn turn) {
        return turn.role() == Role.ASSISTANT || turn.role().isToolResult();
    }

    private int sum(List<ChatMessage> messages) {
        int total = 0;
        for (ChatMessage m : messages) {
            total += messageTokens.applyAsInt(m);
        }
        return total;
    }

    /** The summary as the model reads it: a system message that says what it is. */
    public static ChatMessage summaryMessage(RunningSummary summary) {
        return ChatMessage.system("Summary of the earlier part of this conversation:\n" + summary.text());
    }
}
