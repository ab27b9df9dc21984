package ai.meridian.domain.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fields the gateway does not interpret but must not lose: name to raw JSON value (the text of a JSON
 * value exactly as it was written), in the order they came. Adapters forward them verbatim, or refuse the
 * ones their backend cannot honour with an error naming them.
 */
public final class RawFields {
    private RawFields() {
    }

    /** An unmodifiable, order-keeping copy; null is empty. Names must be non-empty and values non-blank JSON text. */
    public static Map<String, String> copy(Map<String, String> fields) {
        if (fields == null || fields.isEmpty()) {
            return Map.of();
        }
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(fields.size() * 2);
        fields.forEach((name, json) -> {
            if (name == null || name.isEmpty()) {
                throw new InvalidValueException(null, "a field needs a name");
            }
            if (json == null || json.isBlank()) {
                throw new InvalidValueException(name, "'" + name + "' needs a value");
            }
            copy.put(name, json);
        });
        return Collections.unmodifiableMap(copy);
    }

    /** {@code fields} with one more entry (or one replaced), order kept. */
    public static Map<String, String> with(Map<String, String> fields, String name, String json) {
        LinkedHashMap<String, String> more = new LinkedHashMap<>(fields);
        more.put(name, json);
        return copy(more);
    }

    /** {@code fields} without {@code name}, order kept. */
    public static Map<String, String> without(Map<String, String> fields, String name) {
        if (!fields.containsKey(name)) {
            return fields;
        }
        LinkedHashMap<String, String> fewer = new LinkedHashMap<>(fields);
        fewer.remove(name);
        return copy(fewer);
    }
}
