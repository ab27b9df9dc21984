package ai.meridian.domain.chat;

/**
 * A call the model made to one of the request's tools: its id (null only for the legacy
 * {@code function_call}, which has none), the tool type ({@code function} unless the tool is of another
 * kind), the tool's name and the arguments exactly as the model wrote them (JSON text, possibly invalid:
 * it is the client's to parse).
 */
public record ToolCall(String id, String type, String name, String arguments) {

    public ToolCall {
        if (id != null && (id.isEmpty() || id.length() > 256)) {
            throw new InvalidValueException("tool_calls.id", "a tool call id must be 1 to 256 characters");
        }
        type = type == null || type.isEmpty() ? "function" : type;
        if (name == null || name.isEmpty()) {
            throw new InvalidValueException("tool_calls.function.name", "a tool call needs the name of the tool it calls");
        }
        arguments = arguments == null ? "" : arguments;
    }

    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(id, "function", name, arguments);
    }
}
