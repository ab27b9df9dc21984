package ai.meridian.domain.chat;

/** Why generation stopped, with the wire names OpenAI clients know. */
public enum FinishReason {
    STOP("stop"), LENGTH("length"), CONTENT_FILTER("content_filter"), TOOL_CALLS("tool_calls"),
    /** The backend failed after output had begun. */
    ERROR("error"),
    /** The client went away before the answer completed. */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Maps a backend's reason onto ours; unknown reasons count as a normal stop. */
    public static FinishReason fromWire(String value) {
        if (value == null) {
            return STOP;
        }
        switch (value) {
            case "length":
            case "max_tokens":
                return LENGTH;
            case "content_filter":
                return CONTENT_FILTER;
            case "tool_calls":
            case "function_call":
                return TOOL_CALLS;
            default:
                return STOP;
        }
    }
}
