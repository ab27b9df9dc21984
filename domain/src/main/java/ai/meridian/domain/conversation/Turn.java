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
 * One message of a stored conversation. Assistant turns say which model (public name) and backend
 * answered, with usage, the sources the answer could cite and why generation stopped; user and system
 * turns carry the model they were sent to, no backend and no finish reason.
 */
public record Turn(Role role, String content, String reasoning, String model, String backend, TokenUsage usage,
                   List<Citation> citations, Optional<FinishReason> finishReason, Instant createdAt) {

    public Turn {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        reasoning = reasoning == null ? "" : reasoning;
        model = model == null ? "" : model;
        backend = backend == null ? "" : backend;
        usage = usage == null ? new TokenUsage(0, 0) : usage;
        citations = citations == null ? List.of() : List.copyOf(citations);
        finishReason = finishReason == null ? Optional.empty() : finishReason;
        Objects.requireNonNull(createdAt, "createdAt");
        if (role != Role.ASSISTANT && (finishReason.isPresent() || !citations.isEmpty() || !backend.isEmpty())) {
            throw new IllegalArgumentException("only assistant turns have a backend, citations or a finish reason");
        }
    }

    /** A message the client sent (system or user, or an assistant message it supplied itself). */
    public static Turn fromClient(ChatMessage message, String model, Instant at) {
        return new Turn(message.role(), message.content(), "", model, "", null, List.of(), Optional.empty(), at);
    }

    /** The message as it is sent to a model again. */
    public ChatMessage asMessage() {
        return new ChatMessage(role, content, null);
    }
}
