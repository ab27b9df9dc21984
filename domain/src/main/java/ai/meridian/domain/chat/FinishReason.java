package ai.meridian.domain.chat;

import java.util.Map;

/**
 * Why generation stopped, under the wire name the backend used. The names OpenAI clients know have
 * constants; any other name a backend sends (DeepSeek's {@code insufficient_system_resource}, say) is kept
 * as it came, so the client sees exactly what the upstream said. Known names are interned: {@code ==}
 * works for them.
 */
public record FinishReason(String wireName) {
    public static final FinishReason STOP = new FinishReason("stop");
    public static final FinishReason LENGTH = new FinishReason("length");
    public static final FinishReason CONTENT_FILTER = new FinishReason("content_filter");
    public static final FinishReason TOOL_CALLS = new FinishReason("tool_calls");
    public static final FinishReason FUNCTION_CALL = new FinishReason("function_call");
    /** The backend failed after output had begun. */
    public static final FinishReason ERROR = new FinishReason("error");
    /** The client went away before the answer completed. */
    public static final FinishReason CANCELLED = new FinishReason("cancelled");

    private static final Map<String, FinishReason> KNOWN = Map.of(
            "stop", STOP, "length", LENGTH, "content_filter", CONTENT_FILTER, "tool_calls", TOOL_CALLS,
            "function_call", FUNCTION_CALL, "error", ERROR, "cancelled", CANCELLED);

    public FinishReason {
        if (wireName == null || wireName.isBlank() || wireName.length() > 64) {
            throw new InvalidValueException("finish_reason", "a finish reason is a name of 1 to 64 characters");
        }
    }

    /** A backend's reason as it wrote it; null (not reported) counts as a normal stop. */
    public static FinishReason fromWire(String value) {
        if (value == null || value.isBlank()) {
            return STOP;
        }
        FinishReason known = KNOWN.get(value);
        if (known != null) {
            return known;
        }
        return new FinishReason(value.length() > 64 ? value.substring(0, 64) : value);
    }

    /** True when the answer is whole: it ended by itself, not by a failure or the client leaving. */
    public boolean whole() {
        return !equals(ERROR) && !equals(CANCELLED);
    }

    @Override
    public String toString() {
        return wireName;
    }
}
