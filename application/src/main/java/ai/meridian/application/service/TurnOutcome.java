package ai.meridian.application.service;

import ai.meridian.application.port.in.ServedBy;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the model produced for one request (its first choice): the whole answer, or the part a cut stream
 * delivered: text, reasoning, the tool calls it made, why it stopped, usage and who served it; and, when the answer
 * ended by itself, the whole completion with every choice ({@code answer}, for the response cache).
 */
public record TurnOutcome(String content, String reasoning, List<ToolCall> toolCalls, FinishReason finishReason, TokenUsage usage,
                          ServedBy servedBy, Optional<Completion> answer) {

    public TurnOutcome {
        Objects.requireNonNull(content, "content");
        reasoning = reasoning == null ? "" : reasoning;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
        answer = answer == null ? Optional.empty() : answer;
    }

    public TurnOutcome(String content, String reasoning, List<ToolCall> toolCalls, FinishReason finishReason, TokenUsage usage,
                       ServedBy servedBy) {
        this(content, reasoning, toolCalls, finishReason, usage, servedBy, Optional.empty());
    }

    public TurnOutcome(String content, String reasoning, FinishReason finishReason, TokenUsage usage, ServedBy servedBy) {
        this(content, reasoning, List.of(), finishReason, usage, servedBy);
    }

    /** True when the answer is whole (stopped normally, at a length limit, or to call tools). */
    public boolean whole() {
        return finishReason.whole();
    }

    /** True when the answer was replayed from the response cache (no backend was called for it). */
    public boolean fromCache() {
        return servedBy != null && servedBy.cache().hit();
    }
}
