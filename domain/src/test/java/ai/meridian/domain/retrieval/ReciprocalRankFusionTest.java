package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReciprocalRankFusionTest {

    static Passage kb(String id) {
        return new Passage(id, PassageKind.KNOWLEDGE_BASE, "docs", "t" + id, "", "text of " + id, "", 0);
    }

    @Test
    void scoresAreTheSumOfWeightedReciprocalRanks() {
        RankedList keyword = RankedList.of("keyword", List.of(kb("a"), kb("b"), kb("c")));
        RankedList vector = RankedList.of("vector", List.of(kb("c"), kb("a")));
        List<Passage> fused = new ReciprocalRankFusion().fuse(List.of(keyword, vector));
        assertThat(fused).extracting(Passage::id).containsExactly("a", "c", "b");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 62, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 63 + 1.0 / 61, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
    }

    @Test
    void weightsShiftTheBalanceBetweenSources() {
        RankedList web = new RankedList("web", 3.0, List.of(kb("w")));
        RankedList keyword = RankedList.of("keyword", List.of(kb("k")));
        assertThat(new ReciprocalRankFusion().fuse(List.of(keyword, web))).extracting(Passage::id).containsExactly("w", "k");
    }

    @Test
    void tiesGoToTheBetterSingleRankThenToTheFirstSeen() {
        RankedList one = RankedList.of("one", List.of(kb("x"), kb("y")));
        RankedList two = RankedList.of("two", List.of(kb("y"), kb("x")));
        assertThat(new ReciprocalRankFusion().fuse(List.of(one, two))).extracting(Passage::id).containsExactly("x", "y");
        RankedList three = RankedList.of("three", List.of(kb("p")));
        RankedList four = RankedList.of("four", List.of(kb("q")));
        assertThat(new ReciprocalRankFusion().fuse(List.of(three, four))).extracting(Passage::id).containsExactly("p", "q");
    }

    @Test
    void aPassageRepeatedInOneListCountsOnceAndEmptyListsAddNothing() {
        RankedList repeated = RankedList.of("r", List.of(kb("a"), kb("a"), kb("b")));
        List<Passage> fused = new ReciprocalRankFusion(10).fuse(List.of(repeated, RankedList.of("empty", List.of())));
        assertThat(fused).extracting(Passage::id).containsExactly("a", "b");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 11, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 13, within(1e-12));
        assertThat(new ReciprocalRankFusion().fuse(List.of())).isEmpty();
    }
}
