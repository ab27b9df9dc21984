package ai.meridian.domain.chat;

import java.util.Set;

/**
 * How the model may use the tools: {@code none}, {@code auto}, {@code required}, or one named tool
 * ({@code function}, with {@code toolName}); newer forms ({@code allowed_tools}, {@code custom}) are kept as
 * {@code other}. {@code json} is the value exactly as the client wrote it (a string or an object).
 */
public record ToolChoice(String mode, String toolName, String json) {
    private static final Set<String> MODES = Set.of("none", "auto", "required", "function", "other");

    public ToolChoice {
        if (mode == null || !MODES.contains(mode)) {
            throw new InvalidValueException("tool_choice", "tool_choice must be 'none', 'auto', 'required' or name a tool");
        }
        if ("function".equals(mode) && (toolName == null || toolName.isEmpty())) {
            throw new InvalidValueException("tool_choice.function.name", "a tool_choice that names a tool needs its name");
        }
        if (json == null || json.isBlank()) {
            throw new InvalidValueException("tool_choice", "tool_choice needs its JSON value");
        }
    }

    public static final ToolChoice AUTO = new ToolChoice("auto", null, "\"auto\"");
    public static final ToolChoice NONE = new ToolChoice("none", null, "\"none\"");
    public static final ToolChoice REQUIRED = new ToolChoice("required", null, "\"required\"");
}
