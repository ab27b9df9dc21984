package ai.meridian.domain.retrieval;

import java.util.List;
import java.util.Objects;

/**
 * What grounding adds to a chat: a system message carrying the instructions and the numbered sources, and
 * the citations those numbers stand for, in the same order ([1] is {@code citations.get(0)}).
 */
public record GroundedPrompt(String systemMessage, List<Citation> citations, Language language) {

    public GroundedPrompt {
        Objects.requireNonNull(systemMessage, "systemMessage");
        citations = List.copyOf(citations);
        Objects.requireNonNull(language, "language");
    }
}
