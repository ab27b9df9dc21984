package ai.meridian.adapter.out.jtokkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class JtokkitTokenCounterTest {
    private final JtokkitTokenCounter counter = new JtokkitTokenCounter("cl100k_base");

    @Test
    void countsLikeTheReferenceTokenizer() {
        // OpenAI's cookbook: "tiktoken is great!" is 6 tokens in cl100k_base ([83, 1609, 5963, 374, 2294, 0]).
        assertThat(counter.count("tiktoken is great!")).isEqualTo(6);
        assertThat(counter.count("hello world")).isEqualTo(2);
        assertThat(counter.count("")).isZero();
        int chinese = counter.count("你好，世界");
        assertThat(chinese).as("byte-level BPE: more than zero, fewer than the UTF-8 bytes").isBetween(2, 14);
    }

    @Test
    void chatPromptsCostTheirFraming() {
        int framed = counter.countMessages(List.of(ChatMessage.system("be brief"), ChatMessage.user("hello world")));
        assertThat(framed).isEqualTo(3 + (4 + 2) + (4 + 2));
    }

    @Test
    void anUnknownEncodingIsAConfigurationError() {
        assertThatThrownBy(() -> new JtokkitTokenCounter("gpt2-ish")).hasMessageContaining("meridian.tokenizer.encoding");
    }
}
