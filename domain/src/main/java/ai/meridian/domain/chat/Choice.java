package ai.meridian.domain.chat;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One choice of a whole answer, as the backend wrote it: its {@code index}; the message's {@code content}
 * (null when the model only called tools), {@code reasoningContent} ("" when none), {@code toolCalls},
 * the legacy {@code functionCall}, {@code refusal} (null when none); {@code logprobs} as raw JSON (null when
 * not asked for); the finish reason; and fields this gateway does not interpret, kept raw so the client sees
 * them: {@code messageExtra} (inside {@code message}) and {@code choiceExtra} (beside it, e.g. vLLM's
 * {@code stop_reason}).
 */
public record Choice(int index, String content, String reasoningContent, List<ToolCall> toolCalls, ToolCall functionCall,
                     String refusal, String logprobs, FinishReason finishReason, Map<String, String> messageExtra,
                     Map<String, String> choiceExtra) {

    public Choice {
        if (index < 0) {
            throw new IllegalArgumentException("a choice index must not be negative");
        }
        reasoningContent = reasoningContent == null ? "" : reasoningContent;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        Objects.requireNonNull(finishReason, "finishReason");
        messageExtra = RawFields.copy(messageExtra);
        choiceExtra = RawFields.copy(choiceExtra);
    }

    /** A plain text choice. */
    public static Choice text(int index, String content, String reasoning, FinishReason reason) {
        return new Choice(index, content, reasoning, List.of(), null, null, null, reason, Map.of(), Map.of());
    }

    /** The text of the answer ("" when the model only called tools). */
    public String text() {
        return content == null ? "" : content;
    }

    public boolean callsTools() {
        return !toolCalls.isEmpty() || functionCall != null;
    }
}
