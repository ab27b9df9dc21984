package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class StandaloneQueryTest {

    @Test
    void theLastUserMessageIsTheQueryWithWhitespaceCollapsed() {
        List<ChatMessage> messages = List.of(ChatMessage.system("be terse"), ChatMessage.user("Who founded Alibaba?"),
                ChatMessage.assistant("Jack Ma and others."), ChatMessage.user("  and  when\n was it\tfounded? "));
        assertThat(StandaloneQuery.fromLastUserMessage(messages)).contains("and when was it founded?");
    }

    @Test
    void longQueriesAreCutForSearchEnginesAndMissingOnesAreEmpty() {
        assertThat(StandaloneQuery.fromLastUserMessage(List.of(ChatMessage.user("问".repeat(800))))).get()
                .asString().hasSize(StandaloneQuery.MAX_CHARS);
        assertThat(StandaloneQuery.fromLastUserMessage(List.of(ChatMessage.system("only system")))).isEmpty();
        assertThat(StandaloneQuery.fromLastUserMessage(List.of(ChatMessage.user("   ")))).isEmpty();
    }

    @Test
    void languageIsChineseWhenHanCharactersAreAFifthOfTheLetters() {
        assertThat(Language.detect("今天天气怎么样")).isEqualTo(Language.CHINESE);
        assertThat(Language.detect("如何配置 Qdrant collection")).isEqualTo(Language.CHINESE);
        assertThat(Language.detect("How do I configure the Qdrant collection 表")).isEqualTo(Language.ENGLISH);
        assertThat(Language.detect("1234 ?!")).isEqualTo(Language.ENGLISH);
    }
}
