package ai.meridian.domain.response;

import ai.meridian.domain.chat.InvalidValueException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.random.RandomGenerator;

/**
 * A stored response's id, {@code resp_} and 32 hex digits (128 random bits: unguessable, so ids need no other
 * secrecy, and they are looked up within the caller's tenant anyway). The output items of a response have ids made
 * from the same digits ({@code msg_…}, {@code rs_…}, {@code fc_…_2}, ...), so an item id names its response.
 */
public record ResponseId(String value) {
    private static final String PREFIX = "resp_";
    private static final Pattern SHAPE = Pattern.compile("resp_([0-9a-f]{32})");
    private static final Pattern ITEM = Pattern.compile("([a-z]{1,8})_([0-9a-f]{32})(?:_(\\d{1,4}))?");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public ResponseId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new InvalidValueException("response_id", "Invalid response id: expected 'resp_' and 32 hex digits.");
        }
    }

    public static ResponseId generate(RandomGenerator random) {
        char[] id = new char[PREFIX.length() + 32];
        PREFIX.getChars(0, PREFIX.length(), id, 0);
        for (int i = PREFIX.length(); i < id.length; i++) {
            id[i] = HEX[random.nextInt(16)];
        }
        return new ResponseId(new String(id));
    }

    /** The id a client sent, if it can be one (anything else names no response). */
    public static Optional<ResponseId> parse(String value) {
        return value != null && SHAPE.matcher(value).matches() ? Optional.of(new ResponseId(value)) : Optional.empty();
    }

    /** The id of one of this response's output items: {@code kind} (e.g. {@code msg}) and, for several of a kind, its index. */
    public String itemId(String kind, Integer index) {
        return kind + "_" + digits() + (index == null ? "" : "_" + index);
    }

    private String digits() {
        return value.substring(PREFIX.length());
    }

    /** Which response an output item id belongs to, with the item's kind and index (-1 when it has none). */
    public static Optional<ItemRef> ofItem(String itemId) {
        if (itemId == null) {
            return Optional.empty();
        }
        Matcher m = ITEM.matcher(itemId);
        if (!m.matches() || m.group(1).equals("resp")) {
            return Optional.empty();
        }
        return Optional.of(new ItemRef(new ResponseId(PREFIX + m.group(2)), m.group(1), m.group(3) == null ? -1 : Integer.parseInt(m.group(3))));
    }

    /** An output item named by its id: the response, the kind and the index within the kind (-1 when there is one only). */
    public record ItemRef(ResponseId response, String kind, int index) {
    }

    @Override
    public String toString() {
        return value;
    }
}
