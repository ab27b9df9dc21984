package ai.meridian.application.service;

import ai.meridian.domain.retrieval.Passage;
import java.util.List;

/**
 * Fused knowledge-base passages, best first, and which lists could not contribute (e.g. {@code embeddings:
 * the embedding queue is full}) so the answer can say it is based on fewer sources.
 */
public record KnowledgeSearchResult(List<Passage> passages, List<String> degraded) {

    public KnowledgeSearchResult {
        passages = List.copyOf(passages);
        degraded = List.copyOf(degraded);
    }
}
