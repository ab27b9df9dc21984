package ai.meridian.domain.retrieval;

import java.util.Objects;

/**
 * A piece of text a retrieval source found, as grounding uses it. {@code id} identifies the passage across
 * ranked lists (a chunk id for knowledge-base passages, the URL for web pages), so the same passage found by
 * keyword and by vector search fuses into one. {@code origin} names where it came from: the search engine
 * ({@code quark}) or the knowledge base. {@code url} and {@code date} may be empty; {@code score} is the
 * source's own score (higher is better) until fusion replaces it.
 */
public record Passage(String id, PassageKind kind, String origin, String title, String url, String text, String date, double score) {

    public Passage {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a passage needs an id");
        }
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(origin, "origin");
        title = title == null ? "" : title;
        url = url == null ? "" : url;
        Objects.requireNonNull(text, "text");
        date = date == null ? "" : date;
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("a passage's score must be finite");
        }
    }

    public Passage withScore(double newScore) {
        return new Passage(id, kind, origin, title, url, text, date, newScore);
    }

    public Passage withText(String newText) {
        return new Passage(id, kind, origin, title, url, newText, date, score);
    }

    /** The {@code source} a citation of this passage reports: {@code web} or {@code knowledge_base:<name>}. */
    public String sourceLabel() {
        return kind == PassageKind.WEB ? kind.wireName() : kind.wireName() + ":" + origin;
    }
}
