package ai.meridian.domain.retrieval;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into sentences, keeping every character: the sentences concatenated give the text back.
 * Boundaries: Chinese 。！？；and the ellipsis … (a run of them ends one sentence), English . ! ? ; when
 * followed by a space and then not by a lower-case letter (so "e.g. this" stays whole), and line breaks.
 * Closing quotes and brackets stay with the sentence they close.
 */
public final class Sentences {
    private Sentences() {
    }

    /** A sentence and where it starts and ends in the text (end exclusive). */
    public record Span(int start, int end) {
    }

    public static List<Span> split(String text) {
        List<Span> spans = new ArrayList<>();
        int start = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            int end = -1;
            if (c == '\n') {
                end = i + 1;
                while (end < n && (text.charAt(end) == '\n' || text.charAt(end) == '\r')) {
                    end++;
                }
            } else if (isChineseTerminator(c)) {
                end = skipClosers(text, skipRun(text, i + 1));
            } else if (c == '.' || c == '!' || c == '?' || c == ';') {
                int after = skipClosers(text, skipRun(text, i + 1));
                if (after >= n) {
                    end = n;
                } else if (Character.isWhitespace(text.charAt(after))) {
                    int next = after;
                    while (next < n && text.charAt(next) == ' ') {
                        next++;
                    }
                    if (next >= n || !Character.isLowerCase(text.charAt(next))) {
                        end = next;
                    }
                }
                if (end < 0) {
                    // Every terminator of this run would find the same continuation: skip the run (linear on "!!!!…x").
                    i = after;
                    continue;
                }
            }
            if (end > 0) {
                if (end > start) {
                    spans.add(new Span(start, end));
                }
                start = end;
                i = end;
            } else {
                i++;
            }
        }
        if (start < n) {
            spans.add(new Span(start, n));
        }
        return spans;
    }

    private static boolean isChineseTerminator(char c) {
        return c == '。' || c == '！' || c == '？' || c == '；' || c == '…';
    }

    private static int skipRun(String text, int i) {
        while (i < text.length() && (isChineseTerminator(text.charAt(i)) || text.charAt(i) == '.' || text.charAt(i) == '!'
                || text.charAt(i) == '?')) {
            i++;
        }
        return i;
    }

    private static int skipClosers(String text, int i) {
        while (i < text.length() && "\"')]}”’」』）】》".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }
}
