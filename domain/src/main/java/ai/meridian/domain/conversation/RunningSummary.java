package ai.meridian.domain.conversation;

import java.util.Objects;

/** A model-written summary of the turns up to and including {@code throughSeq}, sent in their place. */
public record RunningSummary(String text, int throughSeq) {

    public RunningSummary {
        Objects.requireNonNull(text, "text");
        if (text.isBlank()) {
            throw new IllegalArgumentException("a summary needs text");
        }
        if (throughSeq < 1) {
            throw new IllegalArgumentException("a summary covers at least one turn");
        }
    }
}
