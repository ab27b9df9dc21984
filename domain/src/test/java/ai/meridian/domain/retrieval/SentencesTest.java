package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentencesTest {

    private static List<String> sentences(String text) {
        return Sentences.split(text).stream().map(s -> text.substring(s.start(), s.end())).toList();
    }

    @Test
    void splitsChineseAtItsOwnPunctuation() {
        assertThat(sentences("今天天气很好。我们去公园吧！你来吗？好；那就走……再见"))
                .containsExactly("今天天气很好。", "我们去公园吧！", "你来吗？", "好；", "那就走……", "再见");
    }

    @Test
    void splitsEnglishAfterTerminatorsFollowedBySpaceButNotBeforeLowerCase() {
        assertThat(sentences("Pi is 3.14 or so. It is irrational! Really? Yes; e.g. this stays whole. End"))
                .containsExactly("Pi is 3.14 or so. ", "It is irrational! ", "Really? ", "Yes; e.g. this stays whole. ", "End");
    }

    @Test
    void lineBreaksEndSentencesAndClosingQuotesStayWithTheirSentence() {
        assertThat(sentences("He said \"Stop.\" Then left\n\nNew paragraph「好。」后来"))
                .containsExactly("He said \"Stop.\" ", "Then left\n\n", "New paragraph「好。」", "后来");
    }

    @Test
    void sentencesTogetherGiveTheTextBack() {
        String text = "第一句。Second one! 第三句？\nFourth line without end";
        assertThat(String.join("", sentences(text))).isEqualTo(text);
        assertThat(Sentences.split("")).isEmpty();
    }

    @Test
    void runsOfTerminatorsThatEndNothingAreSkippedInLinearTime() {
        String text = "!".repeat(2_000_000) + "x and on.";
        long start = System.nanoTime();
        List<Sentences.Span> spans = Sentences.split(text);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
        assertThat(spans).containsExactly(new Sentences.Span(0, text.length()));
        assertThat(sentences("Wait... what?! OK")).containsExactly("Wait... what?! ", "OK");
    }
}
