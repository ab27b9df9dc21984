package ai.meridian.domain.response;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.retrieval.Citation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A response as it is kept for {@code previous_response_id} and {@code GET}: its id, the response it continues, the
 * public model, when it was made, its status; the request's own input messages (not the history it continued, not
 * its instructions, which a continuation does not inherit); the answer as an assistant message (text, reasoning,
 * tool calls; none when it failed before any output); why it stopped, usage, the sources it could cite, notices about
 * degraded service (a source that could not be searched), the failure if it failed, and {@code attributes}: what the door that made it keeps besides (the request's settings it echoes),
 * as JSON text the core does not read.
 */
public record StoredResponse(ResponseId id, Optional<ResponseId> previous, String model, Instant createdAt, ResponseStatus status,
                             List<ChatMessage> input, Optional<ChatMessage> output, Optional<FinishReason> finishReason, TokenUsage usage,
                             List<Citation> citations, List<String> notices, Optional<Failure> failure, String attributes) {

    public StoredResponse {
        Objects.requireNonNull(id, "id");
        previous = previous == null ? Optional.empty() : previous;
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a response names its model");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(status, "status");
        input = List.copyOf(input);
        output = output == null ? Optional.empty() : output;
        if (output.isPresent() && output.get().role() != Role.ASSISTANT) {
            throw new IllegalArgumentException("a response's output is an assistant message");
        }
        finishReason = finishReason == null ? Optional.empty() : finishReason;
        usage = usage == null ? TokenUsage.ZERO : usage;
        citations = citations == null ? List.of() : List.copyOf(citations);
        notices = notices == null ? List.of() : List.copyOf(notices);
        failure = failure == null ? Optional.empty() : failure;
        attributes = attributes == null || attributes.isBlank() ? "{}" : attributes;
    }

    /**
     * What this response adds to a conversation continued from it: its input, then its answer. A failed answer adds
     * nothing of its own. Reasoning goes back only with tool calls (DeepSeek's thinking mode asks for it there and
     * refuses it elsewhere).
     */
    public List<ChatMessage> conversation() {
        List<ChatMessage> messages = new ArrayList<>(input.size() + 1);
        messages.addAll(input);
        if (output.isPresent() && status != ResponseStatus.FAILED) {
            ChatMessage answer = output.get();
            if (answer.reasoningContent() != null && !answer.callsTools()) {
                answer = new ChatMessage(answer.role(), answer.content(), answer.parts(), answer.contentNull(), answer.name(),
                        answer.toolCalls(), answer.functionCall(), answer.toolCallId(), null, answer.extra());
            }
            messages.add(answer);
        }
        return messages;
    }

    /** Why a response failed, as the client is told: a code and a message. */
    public record Failure(String code, String message) {
        public Failure {
            if (code == null || code.isBlank() || message == null || message.isBlank()) {
                throw new IllegalArgumentException("a failure has a code and a message");
            }
        }
    }
}
