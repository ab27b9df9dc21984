package ai.meridian.domain.pii;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one request's placeholders stand for. Lives as long as the request (never stored, never logged); the same
 * value gets the same placeholder, so an answer that refers to it twice is restored twice. Thread-safe.
 */
public final class PiiVault {
    /** Placeholders are {@code [LABEL_n]}: what a model reproduces faithfully and nothing ordinary looks like. */
    static final Pattern PLACEHOLDER = Pattern.compile("\\[([A-Z][A-Z0-9_]{0,30})_([0-9]{1,6})\\]");
    static final int MAX_PLACEHOLDER_LENGTH = 1 + 31 + 1 + 6 + 1;

    private final Map<String, String> byValue = new LinkedHashMap<>();
    private final Map<String, String> byPlaceholder = new LinkedHashMap<>();
    private final Map<String, Integer> counters = new LinkedHashMap<>();
    /** Placeholder-shaped text the client itself sent: never handed out, so restoring gives back exactly what was sent. */
    private final java.util.Set<String> taken = new java.util.HashSet<>();

    synchronized String placeholderFor(String label, String value) {
        String key = label + "\u0000" + value;
        String known = byValue.get(key);
        if (known != null) {
            return known;
        }
        String placeholder;
        do {
            int n = counters.merge(label, 1, Integer::sum);
            placeholder = "[" + label + "_" + n + "]";
        } while (taken.contains(placeholder));
        byValue.put(key, placeholder);
        byPlaceholder.put(placeholder, value);
        return placeholder;
    }

    /** Marks placeholder-shaped strings in {@code text} as taken (the masker calls this before it masks the text). */
    synchronized void reserveIn(String text) {
        if (text.indexOf('[') < 0) {
            return;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            if (!byPlaceholder.containsKey(m.group())) {
                taken.add(m.group());
            }
        }
    }

    public synchronized boolean isEmpty() {
        return byPlaceholder.isEmpty();
    }

    public synchronized int size() {
        return byPlaceholder.size();
    }

    /** The value behind a placeholder this vault handed out, or null. */
    public synchronized String valueOf(String placeholder) {
        return byPlaceholder.get(placeholder);
    }

    /** {@code text} with every placeholder of this vault replaced by its value; other bracketed text is left alone. */
    public String restore(String text) {
        if (text.indexOf('[') < 0 || isEmpty()) {
            return text;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = null;
        int at = 0;
        while (m.find()) {
            String value = valueOf(m.group());
            if (value != null) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 32);
                }
                out.append(text, at, m.start()).append(value);
                at = m.end();
            }
        }
        return out == null ? text : out.append(text, at, text.length()).toString();
    }
}
