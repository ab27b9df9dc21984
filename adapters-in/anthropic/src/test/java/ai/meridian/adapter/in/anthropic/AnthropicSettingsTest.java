package ai.meridian.adapter.in.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnthropicSettingsTest {

    @Test
    void theFirstMatchingRuleWinsAndUnmatchedNamesStayAsAsked() {
        AnthropicSettings settings = new AnthropicSettings(List.of(
                new AnthropicSettings.ModelRule("claude-haiku-*", "small"),
                new AnthropicSettings.ModelRule("claude-*", "big"),
                new AnthropicSettings.ModelRule("exact-name", "other"),
                new AnthropicSettings.ModelRule("*-latest", "newest")), Duration.ofSeconds(10));
        assertThat(settings.modelFor("claude-haiku-4-5-20251001")).isEqualTo("small");
        assertThat(settings.modelFor("claude-sonnet-4-5")).isEqualTo("big");
        assertThat(settings.modelFor("claude-")).isEqualTo("big");
        assertThat(settings.modelFor("exact-name")).isEqualTo("other");
        assertThat(settings.modelFor("exact-names")).isEqualTo("exact-names");
        assertThat(settings.modelFor("gpt-4o-latest")).isEqualTo("newest");
        assertThat(settings.modelFor("chat")).isEqualTo("chat");
        assertThat(new AnthropicSettings.ModelRule("a*b*c", "m").matches("aXXbYYc")).isTrue();
        assertThat(new AnthropicSettings.ModelRule("a*b*c", "m").matches("aXXbYY")).isFalse();
        assertThat(new AnthropicSettings.ModelRule("*", "m").matches("")).isTrue();
    }

    @Test
    void rulesAndIntervalsAreChecked() {
        assertThatThrownBy(() -> new AnthropicSettings.ModelRule(" ", "m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AnthropicSettings(List.of(), Duration.ofMillis(10))).hasMessageContaining("ping-interval");
    }

    @Test
    void citationMarksAreFoundAcrossPiecesOnceAndOnlyForRealSources() {
        CitationMarks marks = new CitationMarks(3);
        assertThat(marks.feed("see [")).isEmpty();
        assertThat(marks.feed("2")).isEmpty();
        assertThat(marks.feed("][1] and [2] and [4] and [x] [12")).containsExactly(2, 1);
        assertThat(marks.feed("] [3]")).containsExactly(3);
        assertThat(new CitationMarks(0).feed("[1]")).isEmpty();
    }
}
