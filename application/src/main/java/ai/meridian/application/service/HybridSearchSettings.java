package ai.meridian.application.service;

import java.time.Duration;

/**
 * How a knowledge-base search combines its two lists ({@code meridian.retrieval.*}): how many candidates each
 * list contributes, each list's weight in reciprocal rank fusion and its k, and how long each list may take
 * before the search goes on without it.
 */
public record HybridSearchSettings(int candidatesPerList, double keywordWeight, double vectorWeight, int rrfK, Duration timeout) {

    public HybridSearchSettings {
        if (candidatesPerList < 1 || candidatesPerList > 1000) {
            throw new IllegalArgumentException("meridian.retrieval.candidates must be between 1 and 1000");
        }
        if (!(keywordWeight > 0) || !(vectorWeight > 0)) {
            throw new IllegalArgumentException("meridian.retrieval.keyword-weight and vector-weight must be positive");
        }
        if (rrfK < 1) {
            throw new IllegalArgumentException("meridian.retrieval.rrf-k must be at least 1");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("meridian.retrieval.timeout must be positive");
        }
    }

    /** 50 candidates per list, equal weights, k = 60, 2 seconds per list. */
    public static HybridSearchSettings defaults() {
        return new HybridSearchSettings(50, 1.0, 1.0, 60, Duration.ofSeconds(2));
    }
}
