package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.out.ConversationStore;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.RunningSummary;
import ai.meridian.domain.conversation.StoredTurn;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Folds turns that no longer fit the context window into the conversation's running summary, written by a
 * configured model. It runs in the background after the request that dropped the turns (which is sent
 * without them, so no request waits for a summary), as an ordinary chat request of the conversation's
 * tenant: routing, retries, circuit breakers and fallback tiers apply, and it shows in metrics and traces.
 * A failed summary is logged and tried again by the next request that drops turns.
 */
public final class ConversationSummarizer {
    private static final System.Logger LOG = System.getLogger(ConversationSummarizer.class.getName());
    static final String INSTRUCTION = "You maintain the running summary of a conversation between a user and an assistant. "
            + "Merge the previous summary (if any) with the new turns into one concise summary that keeps names, numbers, "
            + "decisions, open questions and the user's preferences. Write only the summary, in the conversation's language.";

    private final ConversationStore store;
    private final Supplier<CompleteChatUseCase> chat;
    private final String model;
    private final int maxTokens;
    private final Set<String> running = ConcurrentHashMap.newKeySet();

    /** {@code chat} is a supplier because the chat service that runs the summary is built with this stage inside it. */
    public ConversationSummarizer(ConversationStore store, Supplier<CompleteChatUseCase> chat, String model, int maxTokens) {
        this.store = Objects.requireNonNull(store, "store");
        this.chat = Objects.requireNonNull(chat, "chat");
        this.model = Objects.requireNonNull(model, "model");
        this.maxTokens = maxTokens;
    }

    /** Starts folding {@code dropped} into the summary unless a fold of this conversation is already running here. */
    CompletableFuture<Boolean> foldLater(CallerContext caller, ConversationId id, Optional<RunningSummary> previous, List<StoredTurn> dropped) {
        String key = caller.tenant() + "/" + id.value();
        if (dropped.isEmpty() || !running.add(key)) {
            return CompletableFuture.completedFuture(false);
        }
        int through = dropped.get(dropped.size() - 1).seq();
        CallerContext summaryCaller = new CallerContext(caller.requestId() + "-summary", caller.tenant(), "meridian-summarizer", null, 0);
        ChatRequest request = new ChatRequest(model, List.of(ChatMessage.system(INSTRUCTION), ChatMessage.user(prompt(previous, dropped))),
                new GenerationParams(0.2, null, maxTokens, List.of(), null, null, null, null, null), false, false);
        CompletableFuture<Boolean> saved;
        try {
            saved = chat.get().complete(new ChatCommand(summaryCaller, request))
                    .thenCompose(reply -> {
                        String text = reply.completion().content().strip();
                        if (text.isEmpty()) {
                            return CompletableFuture.completedFuture(false);
                        }
                        return store.saveSummary(caller.tenant(), id, new RunningSummary(text, through));
                    });
        } catch (RuntimeException e) {
            saved = CompletableFuture.failedFuture(e);
        }
        return saved.whenComplete((ok, error) -> {
            running.remove(key);
            if (error != null) {
                LOG.log(Level.WARNING, "summary of conversation {0} through turn {1} failed: {2}", id.value(), through,
                        StoreCalls.unwrap(error).getMessage());
            }
        });
    }

    static String prompt(Optional<RunningSummary> previous, List<StoredTurn> turns) {
        StringBuilder prompt = new StringBuilder();
        previous.ifPresent(s -> prompt.append("Previous summary:\n").append(s.text()).append("\n\n"));
        prompt.append("New turns:\n");
        for (StoredTurn stored : turns) {
            Role role = stored.turn().role();
            prompt.append(role == Role.USER ? "User: " : role == Role.ASSISTANT ? "Assistant: " : "Tool result: ")
                    .append(stored.turn().content());
            stored.turn().message().toolCalls().forEach(call -> prompt.append(" [calls ").append(call.name()).append(' ')
                    .append(call.arguments()).append(']'));
            prompt.append('\n');
        }
        return prompt.toString();
    }
}
