package ai.meridian.domain.chat;

/**
 * A fragment of a streamed tool call, as OpenAI streams them: {@code index} says which call of the choice it
 * belongs to; the first fragment of a call carries its id, type and name, later ones only a piece of the
 * arguments. Fields a fragment does not carry are null.
 */
public record ToolCallDelta(int index, String id, String type, String name, String arguments) {

    public ToolCallDelta {
        if (index < 0) {
            throw new InvalidValueException("tool_calls.index", "a tool call index must not be negative");
        }
    }

    /** The opening fragment of a call. */
    public static ToolCallDelta start(int index, String id, String name) {
        return new ToolCallDelta(index, id, "function", name, "");
    }

    /** A piece of a call's arguments. */
    public static ToolCallDelta arguments(int index, String piece) {
        return new ToolCallDelta(index, null, null, null, piece);
    }

    /** True for the fragment that opens a call (it names the tool). */
    public boolean opens() {
        return name != null;
    }
}
