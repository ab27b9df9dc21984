package ai.meridian.domain.retrieval;

import java.util.Objects;

/** A numbered source with the text the model (or the extractive answerer) may use. */
public record SourceDocument(Citation citation, String text) {

    public SourceDocument {
        Objects.requireNonNull(citation, "citation");
        Objects.requireNonNull(text, "text");
    }
}
