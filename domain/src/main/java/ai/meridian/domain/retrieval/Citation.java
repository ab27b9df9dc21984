package ai.meridian.domain.retrieval;

import java.util.Objects;

/**
 * A numbered source an answer may cite as [n], in the shape clients know from Perplexity's
 * {@code search_results}: title, url, date (may be empty), snippet, and where it came from
 * ({@code web} or {@code knowledge_base:<name>}); for a knowledge-base source, its calibrated relevance (0..1), else null.
 */
public record Citation(int number, String title, String url, String date, String snippet, String source, Double score) {

    public Citation {
        if (number < 1) {
            throw new IllegalArgumentException("citation numbers start at 1");
        }
        Objects.requireNonNull(url, "url");
        title = title == null ? "" : title;
        date = date == null ? "" : date;
        snippet = snippet == null ? "" : snippet;
        Objects.requireNonNull(source, "source");
        if (score != null && !(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("a citation's relevance is between 0 and 1");
        }
    }

    /** A citation without a relevance score (web sources). */
    public Citation(int number, String title, String url, String date, String snippet, String source) {
        this(number, title, url, date, snippet, source, null);
    }
}
