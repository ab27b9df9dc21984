package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelevanceModelTest {
    private final RelevanceModel model = RelevanceModel.DEFAULT;

    @Test
    void relevanceIsAProbabilityThatGrowsWithEitherScore() {
        for (String space : new String[] {"bge-small-zh-v1.5", "bge-small-en-v1.5", "unknown-model"}) {
            double low = model.relevance(0.05, 0.3, space);
            assertThat(low).isBetween(0.0, 1.0);
            assertThat(model.relevance(0.5, 0.3, space)).isGreaterThan(low);
            assertThat(model.relevance(0.05, 0.9, space)).isGreaterThan(low);
            assertThat(model.relevance(1.0, 1.0, space)).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
            assertThat(model.relevance(0.0, 0.0, space)).isLessThan(0.5);
        }
    }

    @Test
    void withoutASimilarityKeywordsAloneDecide() {
        assertThat(model.relevance(0.0, Double.NaN, "bge-small-en-v1.5")).isLessThan(0.5);
        assertThat(model.relevance(0.9, Double.NaN, "bge-small-en-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.9, Double.NaN, "bge-small-en-v1.5")).isEqualTo(model.relevance(0.9, Double.NaN, "other"));
    }

    @Test
    void aPassageFoundByOneRetrieverAloneCanPassTheThreshold() {
        // A close vector match with no query word, and a strong keyword match with a weak vector.
        assertThat(model.relevance(0.0, 0.9, "bge-small-en-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.0, 0.8, "bge-small-zh-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.8, 0.55, "bge-small-en-v1.5")).isGreaterThan(0.5);
        // Where one retriever alone crosses Dify's 0.5 (docs/retrieval.md): cosine 0.67 (English), 0.55 (Chinese),
        // normalised BM25 0.19 for a chunk without a vector in the query's space.
        assertThat(model.relevance(0.0, 0.68, "bge-small-en-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.0, 0.65, "bge-small-en-v1.5")).isLessThan(0.5);
        assertThat(model.relevance(0.0, 0.56, "bge-small-zh-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.0, 0.54, "bge-small-zh-v1.5")).isLessThan(0.5);
        assertThat(model.relevance(0.20, Double.NaN, "bge-small-zh-v1.5")).isGreaterThan(0.5);
        assertThat(model.relevance(0.18, Double.NaN, "bge-small-zh-v1.5")).isLessThan(0.5);
    }
}
