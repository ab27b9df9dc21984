package ai.meridian.domain.knowledge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a document carries besides its text, set at ingestion and filtered on at query time: the standard keys
 * {@code title}, {@code source}, {@code tags}, {@code date} and any custom key. Keys are 1..64 characters of
 * letters, digits, {@code _ - .}; case matters ({@code Author} and {@code author} are two keys).
 */
public record DocumentMetadata(Map<String, MetadataValue> values) {
    public static final DocumentMetadata EMPTY = new DocumentMetadata(Map.of());
    public static final int MAX_KEYS = 64;
    private static final Pattern KEY = Pattern.compile("[\\p{L}\\p{N}_.-]{1,64}");

    public DocumentMetadata {
        Objects.requireNonNull(values, "values");
        if (values.size() > MAX_KEYS) {
            throw new IllegalArgumentException("a document has at most " + MAX_KEYS + " metadata keys");
        }
        Map<String, MetadataValue> copy = new LinkedHashMap<>();
        values.forEach((key, value) -> {
            checkKey(key);
            copy.put(key, Objects.requireNonNull(value, "metadata value of " + key));
        });
        values = Collections.unmodifiableMap(copy);
    }

    /** Refuses a key that is empty, too long or has characters other than letters, digits, {@code _ - .}. */
    public static String checkKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("metadata keys are 1 to 64 letters, digits, '_', '-' or '.': '" + key + "'");
        }
        return key;
    }

    public MetadataValue get(String key) {
        return values.get(key);
    }

    /** These values, with {@code other}'s added (other wins on a shared key). */
    public DocumentMetadata with(DocumentMetadata other) {
        Map<String, MetadataValue> merged = new LinkedHashMap<>(values);
        merged.putAll(other.values);
        return new DocumentMetadata(merged);
    }

    public DocumentMetadata with(String key, MetadataValue value) {
        Map<String, MetadataValue> merged = new LinkedHashMap<>(values);
        merged.put(key, value);
        return new DocumentMetadata(merged);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }
}
