package ai.meridian.support.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON values kept as text: what the gateway passes through without interpreting (fields a client sent,
 * fields an upstream answered) is carried as the text of the JSON value, written back with
 * {@link JsonGenerator#writeRawValue(String)}. These helpers read such values off a streaming parser and
 * look inside them where an adapter must interpret one.
 */
public final class RawJson {
    /** Strict: no comments, no trailing commas, UTF-8 checked by the parser. */
    public static final JsonFactory FACTORY = JsonFactory.builder().build();

    private RawJson() {
    }

    /**
     * The value at the parser's current token (already advanced to it) as compact JSON text; the parser is
     * left on the value's last token, as {@link JsonParser#skipChildren()} would.
     */
    public static String read(JsonParser p) throws IOException {
        JsonToken token = p.currentToken();
        if (token == null) {
            throw new IOException("no JSON value to read");
        }
        switch (token) {
            case VALUE_STRING:
                return quote(p.getText());
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return p.getText();
            case VALUE_TRUE:
                return "true";
            case VALUE_FALSE:
                return "false";
            case VALUE_NULL:
                return "null";
            default:
                StringWriter out = new StringWriter(64);
                try (JsonGenerator g = FACTORY.createGenerator(out)) {
                    g.copyCurrentStructure(p);
                }
                return out.toString();
        }
    }

    /** The members of the JSON object at the parser's current token, each as JSON text, in order. */
    public static Map<String, String> readObject(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IOException("expected a JSON object");
        }
        Map<String, String> members = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            members.put(name, read(p));
        }
        return members;
    }

    /** The members of a JSON object given as text, each as JSON text, in order. */
    public static Map<String, String> objectMembers(String json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return readObject(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage(), e);
        }
    }

    /** {@code text} as a JSON string literal. */
    public static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        JsonStringEncoder.getInstance().quoteAsString(text, quoted);
        return quoted.append('"').toString();
    }

    /** The string a JSON string literal holds, or null when {@code json} is not a string. */
    public static String stringValue(String json) {
        return scalar(json, p -> p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : null);
    }

    /** The number a JSON number holds, or null when {@code json} is not a number. */
    public static Double numberValue(String json) {
        return scalar(json, p -> p.currentToken().isNumeric() ? p.getDoubleValue() : null);
    }

    /** The integer a JSON integer holds, or null when {@code json} is not an integer within long's range. */
    public static Long longValue(String json) {
        return scalar(json, p -> p.currentToken() == JsonToken.VALUE_NUMBER_INT
                && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER ? p.getLongValue() : null);
    }

    /** The boolean a JSON boolean holds, or null when {@code json} is not a boolean. */
    public static Boolean booleanValue(String json) {
        return scalar(json, p -> p.currentToken().isBoolean() ? p.getBooleanValue() : null);
    }

    /** True when {@code json} is a JSON object. */
    public static boolean isObject(String json) {
        return json != null && json.stripLeading().startsWith("{");
    }

    private interface Reader<T> {
        T read(JsonParser p) throws IOException;
    }

    private static <T> T scalar(String json, Reader<T> reader) {
        if (json == null) {
            return null;
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                return null;
            }
            return reader.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
