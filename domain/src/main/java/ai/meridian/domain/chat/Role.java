package ai.meridian.domain.chat;

import java.util.Locale;
import java.util.Optional;

/** Who said a message. OpenAI's {@code developer} role is treated as {@code system}. */
public enum Role {
    SYSTEM, USER, ASSISTANT;

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
            default:
                return Optional.empty();
        }
    }
}
