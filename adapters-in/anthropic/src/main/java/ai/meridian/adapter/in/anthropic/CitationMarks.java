package ai.meridian.adapter.in.anthropic;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the source markers a grounded answer writes ({@code [1]}, {@code [2][3]}) in text that arrives in pieces: a
 * marker split across pieces is found when its closing bracket arrives. Only numbers of actual sources count, and
 * each once. Not thread-safe; one per answer.
 */
final class CitationMarks {
    private final int sources;
    private final boolean[] seen;
    private boolean open;
    private int number;
    private int digits;

    CitationMarks(int sources) {
        this.sources = sources;
        this.seen = new boolean[sources + 1];
    }

    /** The source numbers first cited in this piece, in the order their markers close. */
    List<Integer> feed(String text) {
        List<Integer> found = null;
        if (sources == 0) {
            return List.of();
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[') {
                open = true;
                number = 0;
                digits = 0;
            } else if (open && c >= '0' && c <= '9' && digits < 4) {
                number = number * 10 + (c - '0');
                digits++;
            } else if (open && c == ']' && digits > 0) {
                open = false;
                if (number >= 1 && number <= sources && !seen[number]) {
                    seen[number] = true;
                    if (found == null) {
                        found = new ArrayList<>(2);
                    }
                    found.add(number);
                }
            } else {
                open = false;
            }
        }
        return found == null ? List.of() : found;
    }
}
