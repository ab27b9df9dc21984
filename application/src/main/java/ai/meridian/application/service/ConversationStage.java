package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.out.ConversationStore;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.conversation.ContextBudget;
import ai.meridian.domain.conversation.ContextWindowPolicy;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationHistory;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationRef;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.domain.error.GatewayException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Conversations around the model call. Before it: a request that continues a conversation gets the stored
 * history, trimmed to the model's token budget; one that starts a conversation gets a new id. After it: the
 * request's new messages and the answer are appended as one atomic, sequence-numbered run, and only then is
 * the client told success. Requests without a conversation pass through and nothing is stored.
 *
 * <p>What is stored: for a new conversation every message of the first request (system prompt included);
 * when continuing, the request's non-system messages. System messages sent while continuing replace the
 * stored system prompt for that request only.
 */
public final class ConversationStage implements ChatStage {
    private final ConversationStore store;
    private final ConversationSettings settings;
    private final ContextWindowPolicy policy;
    private final Clock clock;
    private final Supplier<RandomGenerator> randoms;
    private final Optional<ConversationSummarizer> summarizer;
    private final StoreCalls calls;

    public ConversationStage(ConversationStore store, TokenCounter tokens, ConversationSettings settings, Clock clock,
                             Supplier<RandomGenerator> randoms, Optional<ConversationSummarizer> summarizer) {
        this.store = Objects.requireNonNull(store, "store");
        Objects.requireNonNull(tokens, "tokens");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.policy = new ContextWindowPolicy(tokens::countMessage);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.randoms = Objects.requireNonNull(randoms, "randoms");
        this.summarizer = Objects.requireNonNull(summarizer, "summarizer");
        this.calls = new StoreCalls(settings.slowQueryThreshold(), settings.retryAfter());
    }

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        Optional<ConversationRef> ref = context.command().conversation();
        if (ref.isEmpty()) {
            return CompletableFuture.completedFuture(context);
        }
        if (ref.get().isNew()) {
            ConversationId id = ConversationId.generate(randoms.get());
            context.span().set("meridian.conversation.id", id.value());
            context.span().set("meridian.conversation.new", true);
            return CompletableFuture.completedFuture(context.withConversation(id.value()));
        }
        ConversationId id = ref.get().existing().orElseThrow();
        String tenant = context.command().caller().tenant();
        context.span().set("meridian.conversation.id", id.value());
        long start = System.nanoTime();
        return calls.traced(context.span(), "conversation.load", Map.of("meridian.conversation.id", id.value()),
                        () -> store.loadHistory(tenant, id, settings.maxHistoryTurns()))
                .handle((history, error) -> {
                    if (error != null) {
                        throw new java.util.concurrent.CompletionException(calls.clientError(error));
                    }
                    if (history.isEmpty()) {
                        throw StoreCalls.notFound(id.value());
                    }
                    return withHistory(context, id, history.get()).plusWaited(System.nanoTime() - start);
                });
    }

    private ChatContext withHistory(ChatContext context, ConversationId id, ConversationHistory history) {
        List<ChatMessage> requestSystem = new ArrayList<>();
        List<ChatMessage> newMessages = new ArrayList<>();
        for (ChatMessage message : context.messages()) {
            (message.role() == Role.SYSTEM ? requestSystem : newMessages).add(message);
        }
        List<ChatMessage> systemPrompt = !requestSystem.isEmpty() ? requestSystem
                : history.systemTurns().stream().map(t -> t.turn().asMessage()).toList();
        ContextBudget budget = ContextBudget.of(settings.contextWindowFor(context.model().id()),
                context.command().request().params().maxTokens());
        ContextWindowPolicy.Window window = policy.fit(systemPrompt, history.summary(), history.recentTurns(), newMessages, budget);
        context.span().set("meridian.conversation.turns_kept", window.kept().size());
        context.span().set("meridian.conversation.turns_dropped", window.dropped().size());
        context.span().set("meridian.conversation.prompt_tokens", window.promptTokens());
        if (!window.dropped().isEmpty()) {
            summarizer.ifPresent(s -> s.foldLater(context.command().caller(), id, history.summary(), window.dropped()));
        }
        return context.withMessages(window.messages()).withConversation(id.value());
    }

    @Override
    public CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
        Optional<ConversationRef> ref = context.command().conversation();
        if (ref.isEmpty() || context.conversationId().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ChatCommand command = context.command();
        ConversationId id = new ConversationId(context.conversationId().get());
        Instant now = clock.instant();
        String model = context.model().id();
        boolean isNew = ref.get().isNew();
        List<Turn> turns = new ArrayList<>();
        for (ChatMessage message : command.request().messages()) {
            if (isNew || message.role() != Role.SYSTEM) {
                turns.add(Turn.fromClient(message, model, now));
            }
        }
        ServedBy servedBy = outcome.servedBy();
        turns.add(new Turn(answerMessage(outcome), model, servedBy == null ? "" : servedBy.backend(), outcome.usage(),
                context.citations(), Optional.of(outcome.finishReason()), now));
        Optional<String> title = isNew ? Optional.of(Conversation.titleFrom(firstUserText(command))) : Optional.empty();
        CallerContext caller = command.caller();
        return calls.traced(context.span(), "conversation.append",
                        Map.of("meridian.conversation.id", id.value(), "meridian.conversation.turns", turns.size()),
                        () -> store.append(caller.tenant(), id, title, turns, now))
                .handle((stored, error) -> {
                    if (error == null) {
                        context.span().set("meridian.conversation.last_seq", stored.get(stored.size() - 1).seq());
                        return null;
                    }
                    Throwable cause = StoreCalls.unwrap(error);
                    if (cause instanceof UnknownConversationException) {
                        throw StoreCalls.notFound(id.value()); // deleted while the answer was being produced
                    }
                    Throwable mapped = calls.clientError(cause);
                    throw mapped instanceof GatewayException g ? g : new java.util.concurrent.CompletionException(mapped);
                });
    }

    /** The answer as an assistant message: text (none when the model only called tools), reasoning, tool calls. */
    static ChatMessage answerMessage(TurnOutcome outcome) {
        List<ToolCall> calls = new ArrayList<>();
        ToolCall legacy = null;
        for (ToolCall call : outcome.toolCalls()) {
            if (call.id() == null) {
                legacy = call; // the legacy function_call has no id
            } else {
                calls.add(call);
            }
        }
        boolean onlyCalls = outcome.content().isEmpty() && (!calls.isEmpty() || legacy != null);
        return ChatMessage.builder(Role.ASSISTANT).content(outcome.content()).contentNull(onlyCalls).toolCalls(calls)
                .functionCall(legacy).reasoningContent(outcome.reasoning().isEmpty() ? null : outcome.reasoning()).build();
    }

    private static String firstUserText(ChatCommand command) {
        return command.request().messages().stream().filter(m -> m.role() == Role.USER).map(ChatMessage::content)
                .findFirst().orElse("");
    }
}
