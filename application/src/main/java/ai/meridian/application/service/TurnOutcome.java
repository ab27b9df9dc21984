package ai.meridian.application.service;

import ai.meridian.application.port.in.ServedBy;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import java.util.Objects;

/** What the model produced for one request: the whole answer, or the part a cut stream delivered. */
public record TurnOutcome(String content, String reasoning, FinishReason finishReason, TokenUsage usage, ServedBy servedBy) {

    public TurnOutcome {
        Objects.requireNonNull(content, "content");
        reasoning = reasoning == null ? "" : reasoning;
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(usage, "usage");
    }

    /** True when the answer is whole (stopped normally or at a length limit). */
    public boolean whole() {
        return finishReason != FinishReason.ERROR && finishReason != FinishReason.CANCELLED;
    }
}
