package ai.meridian.application.port.in;

import java.util.Objects;

/**
 * A backend failed after the client had begun to receive the answer and another one continued it: who failed, who
 * took over (at which tier), how many characters of answer text the client had by then, why, how the continuation was
 * asked for ({@code prefix} or {@code prompt}), and how many held tool-call pieces were dropped unseen (the new backend
 * writes those calls again, whole).
 */
public record MidStreamSwitch(String fromBackend, String toBackend, int tier, int afterChars, String reason, String style,
                              int droppedToolCallPieces) {

    public MidStreamSwitch {
        Objects.requireNonNull(fromBackend, "fromBackend");
        Objects.requireNonNull(toBackend, "toBackend");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(style, "style");
        if (tier < 0 || afterChars < 0 || droppedToolCallPieces < 0) {
            throw new IllegalArgumentException("tier, afterChars and droppedToolCallPieces are not negative");
        }
    }
}
