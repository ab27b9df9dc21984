package ai.meridian.domain.chat;

/**
 * One part of a message's content. A text part has its {@code text}; any other part ({@code image_url},
 * {@code input_audio}, {@code file}, or a kind this gateway does not know) is kept as the JSON object the
 * client wrote ({@code json}) and forwarded as it is to backends that can take it. A text part that had
 * fields besides {@code type} and {@code text} (e.g. {@code cache_control}) keeps its whole object in
 * {@code json} too, so nothing the client wrote is lost.
 */
public record ContentPart(String type, String text, String json) {
    public static final String TEXT = "text";
    public static final String IMAGE_URL = "image_url";
    public static final String INPUT_AUDIO = "input_audio";
    public static final String FILE = "file";

    public ContentPart {
        if (type == null || type.isEmpty() || type.length() > 64) {
            throw new InvalidValueException("content.type", "a content part needs a type");
        }
        if (TEXT.equals(type)) {
            if (text == null) {
                throw new InvalidValueException("content.text", "a text part needs its text");
            }
        } else {
            if (text != null) {
                throw new InvalidValueException("content.text", "only text parts have text");
            }
            if (json == null || json.isBlank()) {
                throw new InvalidValueException("content", "a " + type + " part needs its JSON object");
            }
        }
    }

    public static ContentPart text(String text) {
        return new ContentPart(TEXT, text, null);
    }

    /** A non-text part, as the JSON object the client wrote. */
    public static ContentPart of(String type, String json) {
        return new ContentPart(type, null, json);
    }

    public boolean isText() {
        return TEXT.equals(type);
    }
}
