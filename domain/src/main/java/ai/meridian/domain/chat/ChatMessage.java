package ai.meridian.domain.chat;

import java.util.Objects;

/** One message of a chat: role, text and an optional participant name. */
public record ChatMessage(Role role, String content, String name) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (name != null && (name.isEmpty() || name.length() > 64)) {
            throw new InvalidValueException("name", "name must be 1 to 64 characters");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content, null);
    }
}
