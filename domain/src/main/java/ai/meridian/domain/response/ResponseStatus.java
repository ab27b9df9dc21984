package ai.meridian.domain.response;

import ai.meridian.domain.chat.FinishReason;
import java.util.Locale;
import java.util.Optional;

/** Where a response stands: answered whole, answered in part (cut at a limit or by a filter), failed or cancelled. */
public enum ResponseStatus {
    COMPLETED, INCOMPLETE, FAILED, CANCELLED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ResponseStatus> fromWire(String value) {
        for (ResponseStatus status : values()) {
            if (status.wireName().equals(value)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    /** A finished answer's status from why it stopped: a normal stop or a tool call completes it, anything else leaves it incomplete. */
    public static ResponseStatus of(FinishReason reason) {
        if (reason.equals(FinishReason.STOP) || reason.equals(FinishReason.TOOL_CALLS) || reason.equals(FinishReason.FUNCTION_CALL)) {
            return COMPLETED;
        }
        if (reason.equals(FinishReason.ERROR)) {
            return FAILED;
        }
        if (reason.equals(FinishReason.CANCELLED)) {
            return CANCELLED;
        }
        return INCOMPLETE;
    }
}
