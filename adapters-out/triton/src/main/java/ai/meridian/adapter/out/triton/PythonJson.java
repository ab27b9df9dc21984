package ai.meridian.adapter.out.triton;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * JSON written the way the models' chat templates write it: Hugging Face's {@code tojson} filter is Python's
 * {@code json.dumps(x, ensure_ascii=False)}, with {@code ", "} and {@code ": "} between items and non-ASCII
 * characters kept as they are. A prompt that looks byte for byte like the model's training data is what the
 * model answers best to. Member order and numbers are kept as the client wrote them.
 */
final class PythonJson {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private PythonJson() {
    }

    /** {@code json} rewritten in Python's layout; throws {@link IllegalArgumentException} when it is not JSON. */
    static String of(String json) {
        StringBuilder out = new StringBuilder(json.length() + 16);
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken token = p.nextToken();
            if (token == null) {
                throw new IllegalArgumentException("no JSON value");
            }
            write(p, token, out);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
        return out.toString();
    }

    /** {@code text} as a JSON string literal, escaped as Python escapes it. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2);
        quote(text, out);
        return out.toString();
    }

    private static void write(JsonParser p, JsonToken token, StringBuilder out) throws IOException {
        switch (token) {
            case START_OBJECT -> {
                out.append('{');
                boolean first = true;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    quote(p.currentName(), out);
                    out.append(": ");
                    write(p, p.nextToken(), out);
                }
                out.append('}');
            }
            case START_ARRAY -> {
                out.append('[');
                boolean first = true;
                for (JsonToken next = p.nextToken(); next != JsonToken.END_ARRAY; next = p.nextToken()) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    write(p, next, out);
                }
                out.append(']');
            }
            case VALUE_STRING -> quote(p.getText(), out);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> out.append(p.getText());
            case VALUE_TRUE -> out.append("true");
            case VALUE_FALSE -> out.append("false");
            case VALUE_NULL -> out.append("null");
            default -> throw new IOException("unexpected " + token);
        }
    }

    private static void quote(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
