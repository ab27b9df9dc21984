package ai.meridian.domain.chat;

import java.util.Locale;
import java.util.Optional;

/**
 * Who said a message. OpenAI's {@code developer} role is treated as {@code system}; {@code tool} carries a
 * tool's result for one call; {@code function} is the legacy form of a tool result.
 */
public enum Role {
    SYSTEM, USER, ASSISTANT, TOOL, FUNCTION;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        switch (value) {
            case "system":
            case "developer":
                return Optional.of(SYSTEM);
            case "user":
                return Optional.of(USER);
            case "assistant":
                return Optional.of(ASSISTANT);
            case "tool":
                return Optional.of(TOOL);
            case "function":
                return Optional.of(FUNCTION);
            default:
                return Optional.empty();
        }
    }

    /** A tool's result, in either form. */
    public boolean isToolResult() {
        return this == TOOL || this == FUNCTION;
    }
}
