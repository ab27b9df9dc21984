package ai.meridian.adapter.out.extractive;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.retrieval.SourceDocument;
import ai.meridian.testkit.ModelBackendContract;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ExtractiveAnswererTest {
    private final ModelBackend answerer = new ExtractiveBackendFactory().create(new BackendSettings("extractive", "extractive", Map.of()));

    private static SourceDocument source(int n, String url, String text) {
        return new SourceDocument(new Citation(n, "T" + n, url, "", text.substring(0, Math.min(40, text.length())), "web"), text);
    }

    private static BackendCall call(String question, List<SourceDocument> sources) {
        return new BackendCall("r", "extractive", List.of(ChatMessage.system("Cite sources."), ChatMessage.user(question)),
                GenerationParams.DEFAULTS, null, sources);
    }

    @Test
    void answersFromTheMostRelevantSentencesAndCitesThem() throws Exception {
        List<SourceDocument> sources = List.of(
                source(1, "https://a.example/rrf", "Reciprocal rank fusion combines ranked lists. Each document scores one over k plus its rank. "
                        + "The constant k is usually 60. Weather today is sunny."),
                source(2, "https://b.example/bm25", "BM25 is a keyword ranking function. It weighs rare terms more."),
                source(3, "https://c.example/cats", "Cats sleep for most of the day."));
        String answer = answerer.complete(call("What constant k does reciprocal rank fusion use?", sources)).get(5, TimeUnit.SECONDS).content();
        assertThat(answer).contains("The constant k is usually 60. [1]");
        assertThat(answer).doesNotContain("Cats sleep").doesNotContain("sunny");
        assertThat(answer).matches("(?s).*\\[\\d]$");
    }

    @Test
    void chineseQuestionsFindChineseSentences() throws Exception {
        List<SourceDocument> sources = List.of(
                source(1, "https://zh.example/1", "今天北京天气晴朗。长城是中国古代的军事防御工程。"),
                source(2, "https://zh.example/2", "长城全长两万多公里，始建于春秋战国时期。熊猫喜欢吃竹子。"));
        String answer = answerer.complete(call("长城是什么时候开始修建的？", sources)).get(5, TimeUnit.SECONDS).content();
        assertThat(answer).contains("始建于春秋战国时期。 [2]").doesNotContain("熊猫");
    }

    @Test
    void atMostTwoSentencesComeFromOneSource() throws Exception {
        String text = "Fusion one. Fusion two. Fusion three. Fusion four.";
        String answer = answerer.complete(call("fusion", List.of(source(1, "https://x.example", text)))).get(5, TimeUnit.SECONDS).content();
        assertThat(answer.split("\\[1]", -1)).hasSize(3);
    }

    @Test
    void withoutSourcesItSaysSo() throws Exception {
        assertThat(answerer.complete(call("anything", List.of())).get(5, TimeUnit.SECONDS).content())
                .isEqualTo(ExtractiveSettings.DEFAULT_NO_SOURCES_ANSWER);
    }

    @Test
    void streamsTheSameAnswerSentenceBySentence() throws Exception {
        List<SourceDocument> sources = List.of(source(1, "https://a.example", "Alpha beta gamma. Delta alpha epsilon."));
        ModelBackendContract.Recorder recorder = new ModelBackendContract.Recorder();
        answerer.stream(call("alpha", sources), recorder);
        recorder.awaitEnd();
        assertThat(recorder.deltas).hasSize(2);
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
        assertThat(recorder.text()).isEqualTo(answerer.complete(call("alpha", sources)).get().content());
    }

    @Test
    void settingsAreChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ExtractiveBackendFactory().create(
                new BackendSettings("x", "extractive", Map.of("max-sentences", "0")))).hasMessageContaining("meridian.backends.x");
    }
}
