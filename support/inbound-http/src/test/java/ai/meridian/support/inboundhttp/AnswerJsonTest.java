package ai.meridian.support.inboundhttp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.json.JsonOutput;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnswerJsonTest {

    @Test
    void sourcesCarryAKnowledgeBaseScoreAndOnlyWhatThereIsIsWritten() {
        List<Citation> sources = List.of(new Citation(1, "Web page", "https://example.com/a", "2026-01-02", "snippet", "web", null),
                new Citation(2, "Policy", "kb://docs/d1", "", "passage", "knowledge_base:docs", 0.91));
        String json = JsonOutput.string(g -> {
            g.writeStartObject();
            AnswerJson.extras(g, sources, Optional.of("conv_1"), List.of("web search timed out"));
            g.writeEndObject();
        });
        assertThat(json).isEqualTo("{\"citations\":[\"https://example.com/a\",\"kb://docs/d1\"],\"search_results\":["
                + "{\"title\":\"Web page\",\"url\":\"https://example.com/a\",\"date\":\"2026-01-02\",\"snippet\":\"snippet\",\"source\":\"web\"},"
                + "{\"title\":\"Policy\",\"url\":\"kb://docs/d1\",\"date\":\"\",\"snippet\":\"passage\",\"source\":\"knowledge_base:docs\",\"score\":0.91}],"
                + "\"conversation_id\":\"conv_1\",\"notices\":[\"web search timed out\"]}");
        String nothing = JsonOutput.string(g -> {
            g.writeStartObject();
            AnswerJson.extras(g, List.of(), Optional.empty(), List.of());
            g.writeEndObject();
        });
        assertThat(nothing).isEqualTo("{}");
    }

    @Test
    void usageRelaysTheUpstreamsDetailsAsWritten() {
        TokenUsage usage = new TokenUsage(5, 8, 2, 0, Map.of("prompt_tokens_details", "{\"cached_tokens\":2}"));
        String json = JsonOutput.string(g -> {
            g.writeStartObject();
            AnswerJson.usage(g, usage);
            AnswerJson.rawOrNull(g, "logprobs", null);
            g.writeEndObject();
        });
        assertThat(json).isEqualTo("{\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":8,\"total_tokens\":13,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":2}},\"logprobs\":null}");
    }
}
