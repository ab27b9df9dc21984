package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.retrieval.SourceDocument;
import ai.meridian.domain.tenancy.RateLimitStatus;
import ai.meridian.domain.routing.ModelDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat request on its way to the model, as {@link ChatStage}s shape it: the messages that will be
 * sent (history and grounding included), the numbered sources the answer may cite, the conversation, notices for
 * the client, the request's span, how long the stages waited on the outside world, where the caller stands against its
 * limits, and what the response cache found ({@link CacheLookup}: a hit is answered without routing or grounding).
 */
public record ChatContext(ChatCommand command, ModelDefinition model, TraceSpan span, List<ChatMessage> messages,
                          List<SourceDocument> sources, Optional<String> conversationId, List<String> notices, long waitedNanos,
                          RateLimitStatus rateLimit, CacheLookup cache) {

    public ChatContext(ChatCommand command, ModelDefinition model, TraceSpan span, List<ChatMessage> messages,
                       List<SourceDocument> sources, Optional<String> conversationId, List<String> notices, long waitedNanos,
                       RateLimitStatus rateLimit) {
        this(command, model, span, messages, sources, conversationId, notices, waitedNanos, rateLimit, CacheLookup.NONE);
    }

    public ChatContext(ChatCommand command, ModelDefinition model, TraceSpan span, List<ChatMessage> messages,
                       List<SourceDocument> sources, Optional<String> conversationId, List<String> notices, long waitedNanos) {
        this(command, model, span, messages, sources, conversationId, notices, waitedNanos, RateLimitStatus.NONE);
    }

    public ChatContext {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(span, "span");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat needs messages");
        }
        sources = sources == null ? List.of() : List.copyOf(sources);
        conversationId = conversationId == null ? Optional.empty() : conversationId;
        notices = notices == null ? List.of() : List.copyOf(notices);
        rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
        cache = cache == null ? CacheLookup.NONE : cache;
    }

    static ChatContext start(ChatCommand command, ModelDefinition model, TraceSpan span) {
        return new ChatContext(command, model, span, command.request().messages(), List.of(), Optional.empty(), List.of(), 0,
                RateLimitStatus.NONE, CacheLookup.NONE);
    }

    /** The sources as the client sees them ({@code citations}, {@code search_results}). */
    public List<Citation> citations() {
        return sources.stream().map(SourceDocument::citation).toList();
    }

    public ChatContext withMessages(List<ChatMessage> replaced) {
        return new ChatContext(command, model, span, replaced, sources, conversationId, notices, waitedNanos, rateLimit, cache);
    }

    public ChatContext withSources(List<SourceDocument> replaced) {
        return new ChatContext(command, model, span, messages, replaced, conversationId, notices, waitedNanos, rateLimit, cache);
    }

    public ChatContext withConversation(String id) {
        return new ChatContext(command, model, span, messages, sources, Optional.of(id), notices, waitedNanos, rateLimit, cache);
    }

    public ChatContext withNotice(String notice) {
        List<String> more = new ArrayList<>(notices);
        more.add(notice);
        return new ChatContext(command, model, span, messages, sources, conversationId, more, waitedNanos, rateLimit, cache);
    }

    /** Where the caller stands against its limits after admission (the door writes it as headers). */
    public ChatContext withRateLimit(RateLimitStatus status) {
        return new ChatContext(command, model, span, messages, sources, conversationId, notices, waitedNanos, status, cache);
    }

    /** With what the response cache found for this request. */
    public ChatContext withCache(CacheLookup lookup) {
        return new ChatContext(command, model, span, messages, sources, conversationId, notices, waitedNanos, rateLimit, lookup);
    }

    /** Adds time spent waiting on something outside the gateway (not counted as gateway overhead). */
    public ChatContext plusWaited(long nanos) {
        return new ChatContext(command, model, span, messages, sources, conversationId, notices, waitedNanos + nanos, rateLimit, cache);
    }
}
