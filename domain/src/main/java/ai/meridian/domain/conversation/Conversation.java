package ai.meridian.domain.conversation;

import ai.meridian.domain.chat.InvalidValueException;
import java.time.Instant;
import java.util.Objects;

/** A stored conversation of one tenant: its title, how many turns it has, when it began and last changed. */
public record Conversation(ConversationId id, String tenant, String title, int turnCount, Instant createdAt, Instant updatedAt) {
    public static final int MAX_TITLE_LENGTH = 200;

    public Conversation {
        Objects.requireNonNull(id, "id");
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("a conversation belongs to a tenant");
        }
        title = validTitle(title);
        if (turnCount < 0) {
            throw new IllegalArgumentException("turnCount must not be negative");
        }
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** A title as given by a client: trimmed, 1 to 200 characters, no control characters. */
    public static String validTitle(String title) {
        if (title == null || title.isBlank()) {
            throw new InvalidValueException("title", "The title must not be empty.");
        }
        String trimmed = title.strip();
        if (trimmed.length() > MAX_TITLE_LENGTH) {
            throw new InvalidValueException("title", "The title must be at most " + MAX_TITLE_LENGTH + " characters.");
        }
        if (trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidValueException("title", "The title must not contain control characters.");
        }
        return trimmed;
    }

    /** A title made from the first thing the user said: one line, cut at a word near 60 characters. */
    public static String titleFrom(String firstUserText) {
        String line = firstUserText == null ? "" : firstUserText.replaceAll("\\p{Cntrl}+", " ").replaceAll("\\s+", " ").strip();
        if (line.isEmpty()) {
            return "New conversation";
        }
        if (line.length() <= 60) {
            return line;
        }
        int cut = line.lastIndexOf(' ', 60);
        return (cut > 20 ? line.substring(0, cut) : line.substring(0, 60)) + "…";
    }
}
