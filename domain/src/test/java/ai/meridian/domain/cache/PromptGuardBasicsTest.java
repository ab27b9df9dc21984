package ai.meridian.domain.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What sets two close prompts apart for the semantic cache: numbers, negation, named entities; and what does not. */
class PromptGuardBasicsTest {

    @Test
    void paraphrasesAreCompatible() {
        assertThat(PromptGuard.compatible("What is the capital city of France?", "What's the capital of France?")).isTrue();
        assertThat(PromptGuard.compatible("How do I reset my password?", "how can i reset my password")).isTrue();
        assertThat(PromptGuard.compatible("法国的首都是哪里？", "法国首都是哪个城市？")).isTrue();
    }

    @Test
    void numbersNegationAndNamesSetPromptsApart() {
        assertThat(PromptGuard.compatible("What is 15% of 80?", "What is 15% of 90?")).isFalse();
        assertThat(PromptGuard.compatible("Is aspirin safe for children?", "Is aspirin not safe for children?")).isFalse();
        assertThat(PromptGuard.compatible("Is it safe?", "Isn't it safe?")).isFalse();
        assertThat(PromptGuard.compatible("What is the capital of France?", "What is the capital of Spain?")).isFalse();
        assertThat(PromptGuard.compatible("三加五等于几？", "三加六等于几？")).isFalse();
        assertThat(PromptGuard.compatible("这个药安全吗？", "这个药不安全吗？")).isFalse();
        assertThat(PromptGuard.compatible("介绍一下Redis", "介绍一下Kafka")).isFalse();
        assertThat(PromptGuard.compatible("Explain the word \"cache\"", "Explain the word \"stash\"")).isFalse();
    }

    @Test
    void wordsThatOnlyLookNegatingDoNotCount() {
        assertThat(PromptGuard.negated("这个功能非常好用吗？")).isFalse();
        assertThat(PromptGuard.negated("是否支持流式输出？")).isFalse();
        assertThat(PromptGuard.negated("Nothing works")).isTrue();
    }
}
