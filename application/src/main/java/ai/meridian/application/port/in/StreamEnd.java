package ai.meridian.application.port.in;

import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import java.util.List;
import java.util.Objects;

/**
 * How a stream ended: each choice's finish reason (index = choice; one entry unless {@code n} asked for
 * more), the usage of the whole answer, and the backend switches made after the client had begun to receive it
 * (mid-stream fallback; empty when one backend wrote it all). Sent once the turn is recorded, as the last thing of the
 * stream.
 */
public record StreamEnd(List<FinishReason> finishReasons, TokenUsage usage, List<MidStreamSwitch> switches) {

    public StreamEnd {
        finishReasons = List.copyOf(finishReasons);
        if (finishReasons.isEmpty()) {
            throw new IllegalArgumentException("a stream ends with at least one finish reason");
        }
        Objects.requireNonNull(usage, "usage");
        switches = switches == null ? List.of() : List.copyOf(switches);
    }

    public StreamEnd(List<FinishReason> finishReasons, TokenUsage usage) {
        this(finishReasons, usage, List.of());
    }

    public static StreamEnd of(FinishReason reason, TokenUsage usage) {
        return new StreamEnd(List.of(reason), usage);
    }

    /** The first choice's finish reason. */
    public FinishReason finishReason() {
        return finishReasons.get(0);
    }
}
