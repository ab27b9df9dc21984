package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A section of configuration as flat string properties (kebab-case keys, lists as {@code key[0]},
 * {@code key[1]} or comma-separated) with typed getters whose errors name the full key
 * ({@code path.key}).
 */
public record SettingsMap(String path, Map<String, String> properties) {

    public SettingsMap {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("a settings section needs its path");
        }
        properties = Map.copyOf(new TreeMap<>(properties));
    }

    public Optional<String> string(String key) {
        String value = properties.get(key);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    public String required(String key) {
        return string(key).orElseThrow(() -> new IllegalArgumentException(key(key) + " is required"));
    }

    public int integer(String key, int fallback) {
        return string(key).map(v -> {
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key(key) + " must be a whole number, not '" + v + "'");
            }
        }).orElse(fallback);
    }

    public double decimal(String key, double fallback) {
        return string(key).map(v -> {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key(key) + " must be a number, not '" + v + "'");
            }
        }).orElse(fallback);
    }

    public boolean flag(String key, boolean fallback) {
        return string(key).map(v -> {
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            throw new IllegalArgumentException(key(key) + " must be true or false, not '" + v + "'");
        }).orElse(fallback);
    }

    public Duration duration(String key, Duration fallback) {
        return string(key).map(v -> parseDuration(key(key), v)).orElse(fallback);
    }

    /** A list given as {@code key[0]}, {@code key[1]}, ... or as one comma-separated value. */
    public List<String> list(String key) {
        List<String> indexed = new ArrayList<>();
        for (int i = 0; properties.containsKey(key + "[" + i + "]"); i++) {
            indexed.add(properties.get(key + "[" + i + "]").trim());
        }
        if (!indexed.isEmpty()) {
            return indexed;
        }
        return string(key).map(v -> List.of(v.split("\\s*,\\s*"))).orElse(List.of());
    }

    /** The properties under {@code prefix.}, with the prefix removed. */
    public Map<String, String> under(String prefix) {
        Map<String, String> nested = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(prefix + ".")) {
                nested.put(k.substring(prefix.length() + 1), v);
            }
        });
        return nested;
    }

    /**
     * The entries of a list of mappings given as {@code key[0].name}, {@code key[0].other}, {@code key[1].name}, ...
     * (how a YAML list of mappings arrives flattened), each as its own section named {@code path.key[i]}.
     */
    public List<SettingsMap> entries(String key) {
        List<SettingsMap> entries = new ArrayList<>();
        for (int i = 0; ; i++) {
            String prefix = key + "[" + i + "]";
            Map<String, String> entry = under(prefix);
            if (entry.isEmpty()) {
                return entries;
            }
            entries.add(new SettingsMap(path + "." + prefix, entry));
        }
    }

    /** The full name of a key, for messages. */
    public String key(String key) {
        return path + "." + key;
    }

    /** Accepts {@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}, a bare number of milliseconds, or ISO-8601. */
    public static Duration parseDuration(String where, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1).trim()) * 60);
            }
            if (v.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            if (v.endsWith("d")) {
                return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(v));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + " must be a duration like 500ms, 5s, 2m or 30d, not '" + value + "'");
        }
    }
}
