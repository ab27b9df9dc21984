package ai.meridian.domain.chat;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A finished answer from a backend: one choice per {@code n} (index 0 first), usage ({@code empty} when the
 * backend did not report it), {@code upstreamModel} (the model name the backend says answered), and what
 * the backend said about itself: {@code systemFingerprint} and {@code serviceTier} (null when not said) and
 * other top-level fields it sent ({@code extra}, raw), which reach the client unchanged.
 */
public record Completion(List<Choice> choices, Optional<TokenUsage> usage, String upstreamModel, String systemFingerprint,
                         String serviceTier, Map<String, String> extra) {

    public Completion {
        Objects.requireNonNull(choices, "choices");
        choices = List.copyOf(choices);
        if (choices.isEmpty()) {
            throw new IllegalArgumentException("a completion has at least one choice");
        }
        usage = usage == null ? Optional.empty() : usage;
        upstreamModel = upstreamModel == null ? "" : upstreamModel;
        extra = RawFields.copy(extra);
    }

    /** A single text answer. */
    public Completion(String content, String reasoningContent, FinishReason finishReason, Optional<TokenUsage> usage, String upstreamModel) {
        this(List.of(Choice.text(0, Objects.requireNonNull(content, "content"), reasoningContent, finishReason)), usage, upstreamModel,
                null, null, Map.of());
    }

    /** The first choice, which conversations store and single-answer protocols return. */
    public Choice first() {
        return choices.get(0);
    }

    public String content() {
        return first().text();
    }

    public String reasoningContent() {
        return first().reasoningContent();
    }

    public FinishReason finishReason() {
        return first().finishReason();
    }

    public Completion withUsage(Optional<TokenUsage> replaced) {
        return new Completion(choices, replaced, upstreamModel, systemFingerprint, serviceTier, extra);
    }
}
