package ai.meridian.domain.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LanguageTest {
    // A passage of the Chinese Debian Reference: one explanatory line, then a command listing.
    private static final String CHINESE_WITH_CODE = "显示命令调用进程的时间消耗。\n"
            + "# time some_command >/dev/null\nreal 0m0.035s\nuser 0m0.000s\nsys 0m0.004s\n"
            + "# time --verbose --output=timing.log some_command --with-arguments";

    @Test
    void embeddingRoutesAPassageAsChineseFromATenthOfItsLettersInHan() {
        assertThat(Language.hanShare(CHINESE_WITH_CODE)).isBetween(0.1, 0.2);
        assertThat(Language.forEmbedding(CHINESE_WITH_CODE)).isEqualTo(Language.CHINESE);
        // Answering in Chinese needs more than that: grounding instructions keep the fifth.
        assertThat(Language.detect(CHINESE_WITH_CODE)).isEqualTo(Language.ENGLISH);
    }

    @Test
    void englishTextWithAStrayChineseWordStaysEnglish() {
        String text = "The proxy setting is read from /etc/apt/apt.conf.d when apt starts; see the 代理 section of the manual for details.";
        assertThat(Language.hanShare(text)).isLessThan(0.1);
        assertThat(Language.forEmbedding(text)).isEqualTo(Language.ENGLISH);
        assertThat(Language.forEmbedding("ls -la /var/log | grep 2>&1")).isEqualTo(Language.ENGLISH);
        assertThat(Language.forEmbedding("")).isEqualTo(Language.ENGLISH);
        assertThat(Language.hanShare("1234 !?")).isZero();
    }
}
