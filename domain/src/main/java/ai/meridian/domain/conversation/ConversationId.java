package ai.meridian.domain.conversation;

import ai.meridian.domain.chat.InvalidValueException;
import java.util.regex.Pattern;
import java.util.random.RandomGenerator;

/** A conversation's id: what clients send back as {@code conversation_id}. Letters, digits, {@code _} and {@code -}, at most 64. */
public record ConversationId(String value) {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public ConversationId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidValueException("conversation_id",
                    "Invalid conversation id: expected 1 to 64 letters, digits, '_' or '-'.");
        }
    }

    /** A new id, {@code conv_} and 24 random hex digits (96 bits: unguessable enough that ids need no other secrecy). */
    public static ConversationId generate(RandomGenerator random) {
        char[] id = new char[5 + 24];
        "conv_".getChars(0, 5, id, 0);
        for (int i = 5; i < id.length; i++) {
            id[i] = HEX[random.nextInt(16)];
        }
        return new ConversationId(new String(id));
    }

    @Override
    public String toString() {
        return value;
    }
}
