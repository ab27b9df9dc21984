package ai.meridian.application.service;

import java.time.Duration;
import java.util.Objects;

/**
 * Retrieval tuning: per-source timeouts, how many web results and knowledge candidates to take, how many web pages
 * to fetch when the search engine gave no text, the weights of web and knowledge results when grounding fuses them
 * (reciprocal rank), the calibrated relevance below which grounding leaves knowledge passages out, and the
 * model-based rewrite of follow-up questions.
 */
public record RetrievalSettings(Duration webTimeout, Duration knowledgeTimeout, Duration fetchTimeout, Duration rewriteTimeout,
                                int webResults, int knowledgeCandidates, int fetchPages,
                                double webWeight, double knowledgeWeight, double minRelevance, boolean rewriteWithModel) {

    public static final RetrievalSettings DEFAULTS = new RetrievalSettings(Duration.ofSeconds(4), Duration.ofSeconds(2),
            Duration.ofSeconds(3), Duration.ofSeconds(3), 8, 20, 3, 1.0, 1.0, 0.2, true);

    public RetrievalSettings {
        Objects.requireNonNull(webTimeout, "webTimeout");
        Objects.requireNonNull(knowledgeTimeout, "knowledgeTimeout");
        Objects.requireNonNull(fetchTimeout, "fetchTimeout");
        Objects.requireNonNull(rewriteTimeout, "rewriteTimeout");
        if (webResults < 1 || webResults > 50 || knowledgeCandidates < 1 || knowledgeCandidates > 200 || fetchPages < 0 || fetchPages > 10) {
            throw new IllegalArgumentException("web-results 1..50, knowledge-candidates 1..200, fetch-pages 0..10");
        }
        if (!(webWeight > 0) || !(knowledgeWeight > 0) || !Double.isFinite(webWeight) || !Double.isFinite(knowledgeWeight)) {
            throw new IllegalArgumentException("web-weight and knowledge-weight must be positive");
        }
        if (!(minRelevance >= 0 && minRelevance <= 1)) {
            throw new IllegalArgumentException("min-relevance must be between 0 and 1");
        }
    }

    public RetrievalSettings withKnowledgeTimeout(Duration timeout) {
        return new RetrievalSettings(webTimeout, timeout, fetchTimeout, rewriteTimeout, webResults, knowledgeCandidates, fetchPages,
                webWeight, knowledgeWeight, minRelevance, rewriteWithModel);
    }
}
