package ai.meridian.domain.chat;

/**
 * A tool the client offers the model: its type ({@code function} for the usual kind), its name, its
 * description and the JSON Schema of its parameters (JSON text, or null), and {@code json}, the whole object
 * as the client wrote it, which OpenAI-compatible backends receive verbatim. Backends that build their own
 * prompt (Triton chat templates) read the typed fields.
 */
public record ToolDefinition(String type, String name, String description, String parametersJson, String json) {

    public ToolDefinition {
        if (type == null || type.isEmpty()) {
            throw new InvalidValueException("tools.type", "a tool needs a type");
        }
        if (name == null || name.isEmpty() || name.length() > 128) {
            throw new InvalidValueException("tools.function.name", "a tool needs a name of 1 to 128 characters");
        }
        if (json == null || json.isBlank()) {
            throw new InvalidValueException("tools", "a tool needs its JSON object");
        }
    }
}
