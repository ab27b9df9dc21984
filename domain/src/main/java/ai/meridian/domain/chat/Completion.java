package ai.meridian.domain.chat;

import java.util.Objects;
import java.util.Optional;

/**
 * A finished answer from a backend. {@code usage} is empty when the backend did not report it;
 * {@code upstreamModel} is the model name the backend says answered.
 */
public record Completion(String content, String reasoningContent, FinishReason finishReason,
                         Optional<TokenUsage> usage, String upstreamModel) {

    public Completion {
        Objects.requireNonNull(content, "content");
        reasoningContent = reasoningContent == null ? "" : reasoningContent;
        Objects.requireNonNull(finishReason, "finishReason");
        usage = usage == null ? Optional.empty() : usage;
        upstreamModel = upstreamModel == null ? "" : upstreamModel;
    }
}
