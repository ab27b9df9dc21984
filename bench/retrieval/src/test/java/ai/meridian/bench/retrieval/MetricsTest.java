package ai.meridian.bench.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reported numbers are only as good as these formulas: checked against hand-computed trec_eval values. */
class MetricsTest {

    @Test
    void ndcgUsesLinearGainsAndLogDiscountsAgainstTheIdealOrder() {
        Map<String, Integer> judged = Map.of("a", 2, "b", 1);
        assertThat(Metrics.ndcgAt(10, List.of("a", "b", "x"), judged)).isCloseTo(1.0, within(1e-12));
        // DCG = 1/log2(2) + 2/log2(3); IDCG = 2/log2(2) + 1/log2(3)
        double expected = (1 + 2 / (Math.log(3) / Math.log(2))) / (2 + 1 / (Math.log(3) / Math.log(2)));
        assertThat(Metrics.ndcgAt(10, List.of("b", "a"), judged)).isCloseTo(expected, within(1e-12));
        assertThat(Metrics.ndcgAt(1, List.of("x", "a"), judged)).isZero();
        // A single relevant document at rank 3: 1/log2(4) = 0.5
        assertThat(Metrics.ndcgAt(10, List.of("x", "y", "a"), Map.of("a", 1))).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void recallCountsJudgedRelevantDocumentsWithinTheCutoff() {
        Map<String, Integer> judged = Map.of("a", 1, "b", 1, "c", 0);
        assertThat(Metrics.recallAt(100, List.of("c", "a"), judged)).isEqualTo(0.5);
        assertThat(Metrics.recallAt(1, List.of("c", "a", "b"), judged)).isZero();
        assertThat(Metrics.recallAt(100, List.of(), Map.of("c", 0))).isZero();
    }
}
