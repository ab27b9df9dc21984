package ai.meridian.application.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Retrieval tuning: per-source timeouts, how many web results and knowledge candidates to take, how many
 * web pages to fetch when the search engine gave no text, the fusion weights, and the model-based rewrite of
 * follow-up questions.
 */
public record RetrievalSettings(Duration webTimeout, Duration knowledgeTimeout, Duration fetchTimeout, Duration rewriteTimeout,
                                int webResults, int knowledgeCandidates, int fetchPages,
                                double webWeight, double keywordWeight, double vectorWeight, boolean rewriteWithModel) {

    public static final RetrievalSettings DEFAULTS = new RetrievalSettings(Duration.ofSeconds(4), Duration.ofSeconds(2),
            Duration.ofSeconds(3), Duration.ofSeconds(3), 8, 20, 3, 1.0, 1.0, 1.0, true);

    public RetrievalSettings {
        Objects.requireNonNull(webTimeout, "webTimeout");
        Objects.requireNonNull(knowledgeTimeout, "knowledgeTimeout");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        Objects.requireNonNull(rewriteTimeout, "rewriteTimeout");
        if (webResults < 1 || webResults > 50 || knowledgeCandidates < 1 || knowledgeCandidates > 200 || fetchPages < 0 || fetchPages > 10) {
            throw new IllegalArgumentException("web-results 1..50, knowledge-candidates 1..200, fetch-pages 0..10");
        }
        if (!(webWeight > 0) || !(keywordWeight > 0) || !(vectorWeight > 0)) {
            throw new IllegalArgumentException("fusion weights must be positive");
        }
    }
}
