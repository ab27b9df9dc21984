package ai.meridian.domain.chat;

import java.util.List;
import java.util.Map;

/**
 * A piece of streamed output for one choice ({@code choice}, 0 unless {@code n} asked for more): answer
 * text, reasoning text, tool-call fragments, the legacy {@code function_call} fragment, a piece of a
 * refusal, the chunk's log probabilities (raw JSON), and the choice's finish reason when this piece ends it.
 * Fields the gateway does not interpret are kept raw: {@code chunkExtra} (top-level fields of the chunk, such
 * as {@code system_fingerprint}), {@code choiceExtra} (beside {@code delta}) and {@code deltaExtra} (inside it).
 */
public record Delta(int choice, String content, String reasoningContent, List<ToolCallDelta> toolCalls, ToolCallDelta functionCall,
                    String refusal, String logprobs, FinishReason finishReason, Map<String, String> chunkExtra,
                    Map<String, String> choiceExtra, Map<String, String> deltaExtra) {
    public static final Delta EMPTY = of("");

    public Delta {
        if (choice < 0) {
            throw new IllegalArgumentException("a choice index must not be negative");
        }
        content = content == null ? "" : content;
        reasoningContent = reasoningContent == null ? "" : reasoningContent;
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        chunkExtra = RawFields.copy(chunkExtra);
        choiceExtra = RawFields.copy(choiceExtra);
        deltaExtra = RawFields.copy(deltaExtra);
    }

    /** Answer text and reasoning text of the first choice. */
    public Delta(String content, String reasoningContent) {
        this(0, content, reasoningContent, List.of(), null, null, null, null, Map.of(), Map.of(), Map.of());
    }

    public static Delta of(String content) {
        return new Delta(content, "");
    }

    /** Nothing yet, for choice {@code choice} (opens a choice that produced no output). */
    public static Delta empty(int choice) {
        return new Delta(choice, "", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of());
    }

    /** Tool-call fragments of one choice. */
    public static Delta toolCalls(int choice, List<ToolCallDelta> fragments) {
        return new Delta(choice, "", "", fragments, null, null, null, null, Map.of(), Map.of(), Map.of());
    }

    /** True when the piece carries nothing the client would see. */
    public boolean isEmpty() {
        return content.isEmpty() && reasoningContent.isEmpty() && toolCalls.isEmpty() && functionCall == null
                && refusal == null && logprobs == null && finishReason == null && deltaExtra.isEmpty() && choiceExtra.isEmpty();
    }

    /** True when it carries output (text, reasoning, tool calls, a refusal), as opposed to bookkeeping only. */
    public boolean hasOutput() {
        return !content.isEmpty() || !reasoningContent.isEmpty() || !toolCalls.isEmpty() || functionCall != null
                || (refusal != null && !refusal.isEmpty());
    }

    public Delta withFinishReason(FinishReason reason) {
        return new Delta(choice, content, reasoningContent, toolCalls, functionCall, refusal, logprobs, reason, chunkExtra, choiceExtra, deltaExtra);
    }

    public Delta withContent(String text) {
        return new Delta(choice, text, reasoningContent, toolCalls, functionCall, refusal, logprobs, finishReason, chunkExtra, choiceExtra, deltaExtra);
    }
}
