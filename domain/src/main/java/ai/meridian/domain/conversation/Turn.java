package ai.meridian.domain.conversation;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.retrieval.Citation;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a stored conversation, whole: the message as it was sent or answered (text, content parts,
 * tool calls, the tool result's call id, reasoning), the model (public name) it went to, and for assistant
 * turns which backend answered, with usage, the sources the answer could cite and why generation stopped.
 * User, system and tool turns carry no backend and no finish reason.
 */
public record Turn(ChatMessage message, String model, String backend, TokenUsage usage, List<Citation> citations,
                   Optional<FinishReason> finishReason, Instant createdAt) {

    public Turn {
        Objects.requireNonNull(message, "message");
        model = model == null ? "" : model;
        backend = backend == null ? "" : backend;
        usage = usage == null ? TokenUsage.ZERO : usage;
        citations = citations == null ? List.of() : List.copyOf(citations);
        finishReason = finishReason == null ? Optional.empty() : finishReason;
        Objects.requireNonNull(createdAt, "createdAt");
        if (message.role() != Role.ASSISTANT && (finishReason.isPresent() || !citations.isEmpty() || !backend.isEmpty())) {
            throw new IllegalArgumentException("only assistant turns have a backend, citations or a finish reason");
        }
    }

    /** A text turn, with reasoning for an assistant turn ("" or null when none). */
    public Turn(Role role, String content, String reasoning, String model, String backend, TokenUsage usage,
                List<Citation> citations, Optional<FinishReason> finishReason, Instant createdAt) {
        this(textMessage(role, content, reasoning), model, backend, usage, citations, finishReason, createdAt);
    }

    private static ChatMessage textMessage(Role role, String content, String reasoning) {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        boolean hasReasoning = reasoning != null && !reasoning.isEmpty();
        if (hasReasoning && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only assistant turns have reasoning");
        }
        return ChatMessage.builder(role).content(content).reasoningContent(hasReasoning ? reasoning : null).build();
    }

    /** A message the client sent (system, user, tool, or an assistant message it supplied itself), kept whole. */
    public static Turn fromClient(ChatMessage message, String model, Instant at) {
        return new Turn(message, model, "", null, List.of(), Optional.empty(), at);
    }

    public Role role() {
        return message.role();
    }

    public String content() {
        return message.content();
    }

    /** The reasoning of an assistant turn, "" when none. */
    public String reasoning() {
        return message.reasoningContent() == null ? "" : message.reasoningContent();
    }

    /**
     * The message as it is sent to a model again: whole, but without reasoning, which providers do not take
     * back as input (DeepSeek refuses it); the participant name, tool calls and tool-call ids stay.
     */
    public ChatMessage asMessage() {
        if (message.reasoningContent() == null) {
            return message;
        }
        return new ChatMessage(message.role(), message.content(), message.parts(), message.contentNull(), message.name(),
                message.toolCalls(), message.functionCall(), message.toolCallId(), null, message.extra());
    }

    public Turn withCitations(List<Citation> replaced) {
        return new Turn(message, model, backend, usage, replaced, finishReason, createdAt);
    }
}
