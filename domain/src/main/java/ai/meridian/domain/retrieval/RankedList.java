package ai.meridian.domain.retrieval;

import java.util.List;
import java.util.Objects;

/**
 * One source's answer, best first, with the weight its ranks carry in fusion (e.g. web 1.0, keyword 1.0,
 * vector 1.0). A source that failed contributes an empty list, not an error.
 */
public record RankedList(String source, double weight, List<Passage> passages) {

    public RankedList {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a ranked list needs a source name");
        }
        if (!(weight > 0) || !Double.isFinite(weight)) {
            throw new IllegalArgumentException("the weight of '" + source + "' must be a positive number");
        }
        passages = List.copyOf(Objects.requireNonNull(passages, "passages"));
    }

    public static RankedList of(String source, List<Passage> passages) {
        return new RankedList(source, 1.0, passages);
    }
}
