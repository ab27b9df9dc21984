package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LanguageEmbeddingsTest {

    /** A model that only says which texts it was given. */
    private record Named(String model) implements EmbedTextPort {
        @Override
        public int dimensions() {
            return 1;
        }

        @Override
        public int countTokens(String text) {
            return text.length();
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            return CompletableFuture.completedFuture(texts.stream().map(t -> new float[] {1}).toList());
        }
    }

    private final LanguageEmbeddings embeddings = new LanguageEmbeddings(new Named("zh"), new Named("en"));

    @Test
    void aChinesePassageThatIsMostlyCodeIsEmbeddedByTheChineseModel() throws Exception {
        // Between a tenth and a fifth of its letters are Han: it used to go to the English model.
        String codeHeavy = "显示命令调用进程的时间消耗。\n# time some_command >/dev/null\nreal 0m0.035s\nuser 0m0.000s\nsys 0m0.004s\n"
                + "# time --verbose --output=timing.log some_command --with-arguments";
        String english = "Use dd(1) to make an empty disk image file:\n$ dd bs=1 count=0 if=/dev/zero of=disk.img seek=5G";
        String chinese = "使用 SMART 预测硬盘故障";
        List<LanguageEmbeddings.Embedded> embedded = embeddings.embedDocuments(List.of(codeHeavy, english, chinese)).get(5, TimeUnit.SECONDS);
        assertThat(embedded).extracting(LanguageEmbeddings.Embedded::space).containsExactly("zh", "en", "zh");
        assertThat(embeddings.embedQuery("dd 制作空磁盘映像").get(5, TimeUnit.SECONDS).space()).isEqualTo("zh");
        assertThat(embeddings.embedQuery("make an empty disk image with dd").get(5, TimeUnit.SECONDS).space()).isEqualTo("en");
    }
}
