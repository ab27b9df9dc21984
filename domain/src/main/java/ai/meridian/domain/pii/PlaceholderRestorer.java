package ai.meridian.domain.pii;

import java.util.Objects;

/**
 * Restores placeholders in a streamed answer, where a placeholder may be cut between two chunks ({@code "[EMA"} then
 * {@code "IL_1]"}). Text that cannot be the start of a placeholder is passed on at once; only a trailing {@code [...}
 * that could still become one is held back, at most {@value PiiVault#MAX_PLACEHOLDER_LENGTH} characters, and released
 * by the next chunk or by {@link #finish()}.
 */
public final class PlaceholderRestorer {
    private final PiiVault vault;
    private String held = "";

    public PlaceholderRestorer(PiiVault vault) {
        this.vault = Objects.requireNonNull(vault, "vault");
    }

    /** The text to send for this chunk (possibly empty while a placeholder may be forming). */
    public String next(String chunk) {
        String text = held.isEmpty() ? chunk : held + chunk;
        held = "";
        int cut = unfinishedPlaceholderStart(text);
        String ready = cut < 0 ? text : text.substring(0, cut);
        if (cut >= 0) {
            held = text.substring(cut);
        }
        return vault.restore(ready);
    }

    /** What was held back at the end of the stream. */
    public String finish() {
        String rest = held;
        held = "";
        return vault.restore(rest);
    }

    /** Where a trailing, still incomplete placeholder starts, or -1. */
    static int unfinishedPlaceholderStart(String text) {
        int open = text.lastIndexOf('[');
        if (open < 0 || text.indexOf(']', open) >= 0 || text.length() - open >= PiiVault.MAX_PLACEHOLDER_LENGTH) {
            return -1;
        }
        for (int i = open + 1; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            if (!ok || i == open + 1 && !(c >= 'A' && c <= 'Z')) {
                return -1;
            }
        }
        return open;
    }
}
