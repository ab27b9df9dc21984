package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ContextBudgetTest {

    static Passage passage(String id, int sentences) {
        String text = IntStream.range(0, sentences).mapToObj(i -> "This is sentence " + i + " of " + id + ".").collect(Collectors.joining(" "));
        return new Passage(id, PassageKind.KNOWLEDGE_BASE, "docs", "", "", text, "", 0);
    }

    @Test
    void takesPassagesInRankOrderUntilTheBudgetIsSpent() {
        // Each passage of 10 sentences costs 16 framing + 60 tokens.
        List<Passage> ranked = List.of(passage("a", 10), passage("b", 10), passage("c", 10));
        List<Passage> selected = new ContextBudget(160, 10, WordCount.TOKENS).select(ranked);
        assertThat(selected).extracting(Passage::id).containsExactly("a", "b");
        assertThat(selected.get(0).text()).isEqualTo(ranked.get(0).text());
    }

    @Test
    void theFirstPassageThatDoesNotFitIsCutAtASentenceAndNothingAfterItIsTaken() {
        List<Passage> ranked = List.of(passage("a", 10), passage("b", 20), passage("tiny", 1));
        List<Passage> selected = new ContextBudget(76 + 80, 10, WordCount.TOKENS).select(ranked);
        assertThat(selected).extracting(Passage::id).containsExactly("a", "b");
        String cut = selected.get(1).text();
        assertThat(cut).endsWith(".").startsWith("This is sentence 0 of b.");
        assertThat(WordCount.TOKENS.applyAsInt(cut)).isLessThanOrEqualTo(80 - 16).isGreaterThan(40);
    }

    @Test
    void tooLittleRoomForAUsefulCutMeansNoCut() {
        List<Passage> selected = new ContextBudget(76 + 30, 10, WordCount.TOKENS).select(List.of(passage("a", 10), passage("b", 20)));
        assertThat(selected).extracting(Passage::id).containsExactly("a");
    }

    @Test
    void thePassageCountIsCappedAndBudgetsAreChecked() {
        assertThat(new ContextBudget(10_000, 2, WordCount.TOKENS).select(List.of(passage("a", 1), passage("b", 1), passage("c", 1))))
                .hasSize(2);
        assertThatThrownBy(() -> new ContextBudget(10, 2, WordCount.TOKENS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ContextBudget(1000, 0, WordCount.TOKENS)).isInstanceOf(IllegalArgumentException.class);
    }
}
