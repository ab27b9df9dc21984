package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One backend's configuration as flat string properties (kebab-case keys, lists as {@code key[0]},
 * {@code key[1]} or comma-separated). Typed getters fail with the full key in the message.
 */
public record BackendSettings(String id, String type, Map<String, String> properties) {

    public BackendSettings {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a backend needs an id");
        }
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("backend " + id + " needs a type");
        }
        properties = Map.copyOf(new TreeMap<>(Objects.requireNonNull(properties, "properties")));
    }

    private SettingsMap map() {
        return new SettingsMap("meridian.backends." + id, properties);
    }

    public Optional<String> string(String key) {
        return map().string(key);
    }

    public String string(String key, String fallback) {
        return map().string(key, fallback);
    }

    public String required(String key) {
        return map().required(key);
    }

    public int integer(String key, int fallback) {
        return map().integer(key, fallback);
    }

    public double decimal(String key, double fallback) {
        return map().decimal(key, fallback);
    }

    public boolean flag(String key, boolean fallback) {
        return map().flag(key, fallback);
    }

    public Duration duration(String key, Duration fallback) {
        return map().duration(key, fallback);
    }

    /** A list given as {@code key[0]}, {@code key[1]}, ... or as one comma-separated value. */
    public List<String> list(String key) {
        return map().list(key);
    }

    /** The properties under {@code prefix.}, with the prefix removed. */
    public Map<String, String> under(String prefix) {
        return map().under(prefix);
    }

    /** The entries of a list of mappings ({@code key[i].name}, ...), each as its own section; see {@link SettingsMap#entries}. */
    public List<SettingsMap> entries(String key) {
        return map().entries(key);
    }

    /** Accepts {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, a bare number of milliseconds, or ISO-8601. */
    public static Duration parseDuration(String where, String value) {
        return SettingsMap.parseDuration(where, value);
    }
}
