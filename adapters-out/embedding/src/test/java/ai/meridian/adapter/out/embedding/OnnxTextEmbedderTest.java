package ai.meridian.adapter.out.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.service.DocumentChunking;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.TextChunk;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Runs the real bundled models: dimensions, normalisation, batching, and that similar meanings come out close. */
class OnnxTextEmbedderTest {
    static OnnxTextEmbedder bge;
    static OnnxTextEmbedder miniLm;

    @BeforeAll
    static void load() {
        bge = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel("bge-small-zh-v1.5"));
        miniLm = new OnnxTextEmbedder(new OnnxEmbeddingSettings("all-MiniLM-L6-v2", 2, 1, 4, 64));
    }

    @AfterAll
    static void close() {
        bge.close();
        miniLm.close();
    }

    static List<float[]> embed(OnnxTextEmbedder embedder, EmbeddingUse use, String... texts) throws Exception {
        return embedder.embed(List.of(texts), use).get(60, TimeUnit.SECONDS);
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    static double norm(float[] v) {
        return Math.sqrt(cosine(v, v));
    }

    @Test
    void modelsReportTheirNamesAndDimensions() throws Exception {
        assertThat(bge.model()).isEqualTo("bge-small-zh-v1.5");
        assertThat(bge.dimensions()).isEqualTo(512);
        assertThat(embed(bge, EmbeddingUse.DOCUMENT, "你好").get(0)).hasSize(512);
        assertThat(miniLm.model()).isEqualTo("all-minilm-l6-v2");
        assertThat(miniLm.dimensions()).isEqualTo(384);
        assertThat(embed(miniLm, EmbeddingUse.DOCUMENT, "hello").get(0)).hasSize(384);
    }

    @Test
    void chineseQueriesLandNearestTheirAnswer() throws Exception {
        float[] query = embed(bge, EmbeddingUse.QUERY, "如何申请报销差旅费？").get(0);
        List<float[]> passages = embed(bge, EmbeddingUse.DOCUMENT,
                "员工出差回来后，应在三十天内通过财务系统提交差旅费报销申请，并附上发票。",
                "公司食堂每天中午十一点半开始供应午餐。",
                "新版本的数据库集群将在下个月完成迁移。");
        assertThat(cosine(query, passages.get(0))).isGreaterThan(cosine(query, passages.get(1)));
        assertThat(cosine(query, passages.get(0))).isGreaterThan(cosine(query, passages.get(2)));
    }

    @Test
    void englishSentencesWithTheSameMeaningAreCloserThanUnrelatedOnes() throws Exception {
        for (OnnxTextEmbedder embedder : List.of(bge, miniLm)) {
            List<float[]> v = embed(embedder, EmbeddingUse.DOCUMENT, "The cat sits on the mat.", "A kitten is resting on a rug.",
                    "Quarterly revenue grew by twelve percent.");
            assertThat(cosine(v.get(0), v.get(1))).as(embedder.model()).isGreaterThan(cosine(v.get(0), v.get(2)));
            assertThat(cosine(v.get(1), v.get(0))).as(embedder.model()).isGreaterThan(cosine(v.get(1), v.get(2)));
        }
    }

    @Test
    void vectorsAreUnitLengthAndBatchingDoesNotChangeThem() throws Exception {
        List<String> texts = IntStream.range(0, 11).mapToObj(i -> "Sentence number " + i + " is " + "long ".repeat(i)).toList();
        List<float[]> batched = miniLm.embed(texts, EmbeddingUse.DOCUMENT).get(60, TimeUnit.SECONDS);
        assertThat(batched).hasSize(11);
        for (int i = 0; i < texts.size(); i++) {
            float[] alone = embed(miniLm, EmbeddingUse.DOCUMENT, texts.get(i)).get(0);
            assertThat(norm(batched.get(i))).isCloseTo(1.0, within(1e-4));
            // The int8 models quantise activations dynamically, with scales taken over the whole batch tensor
            // (padding included), so a batched vector is close to, not bit-identical with, the unbatched one.
            assertThat(cosine(alone, batched.get(i))).as("text %d embedded alone and in a padded batch", i).isGreaterThan(0.98);
        }
    }

    @Test
    void queriesCarryBgesInstructionAndDocumentsDoNot() throws Exception {
        float[] asQuery = embed(bge, EmbeddingUse.QUERY, "差旅费").get(0);
        float[] asDocument = embed(bge, EmbeddingUse.DOCUMENT, "差旅费").get(0);
        float[] prefixed = embed(bge, EmbeddingUse.DOCUMENT, BundledModel.BGE_SMALL_ZH_V15.queryInstruction() + "差旅费").get(0);
        assertThat(cosine(asQuery, prefixed)).isCloseTo(1.0, within(1e-5));
        assertThat(cosine(asQuery, asDocument)).isLessThan(0.999);
        float[] miniQuery = embed(miniLm, EmbeddingUse.QUERY, "expenses").get(0);
        float[] miniDocument = embed(miniLm, EmbeddingUse.DOCUMENT, "expenses").get(0);
        assertThat(cosine(miniQuery, miniDocument)).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void tokensAreCountedWithTheModelsTokenizerAndLongTextsAreTruncated() throws Exception {
        assertThat(bge.countTokens("你好世界")).isEqualTo(6); // [CLS] 你 好 世 界 [SEP]
        assertThat(miniLm.countTokens("hello world")).isEqualTo(4);
        String huge = "word ".repeat(5000);
        assertThat(miniLm.countTokens(huge)).isEqualTo(256);
        assertThat(embed(miniLm, EmbeddingUse.DOCUMENT, huge).get(0)).hasSize(384);
        assertThat(miniLm.embed(List.of(), EmbeddingUse.DOCUMENT).get()).isEmpty();
    }

    @Test
    void chunkingCountsRealTokensAndKeepsEveryChunkWithinTheModelsWindow() {
        String huge = "word ".repeat(5000);
        assertThat(miniLm.countAllTokens(huge)).isEqualTo(5002); // [CLS] 5000 × word [SEP], not capped at 256
        assertThat(miniLm.maxInputTokens()).isEqualTo(256);
        assertThat(bge.maxInputTokens()).isEqualTo(512);
        // The default policy (300 tokens) is more than all-MiniLM reads: chunks are cut to its window instead.
        ChunkingPolicy policy = DocumentChunking.policyFor(miniLm, ChunkingPolicy.DEFAULT);
        assertThat(policy.maxTokens()).isEqualTo(256);
        // A megabyte of lower-case prose the sentence splitter sees as one sentence, with Chinese mixed in.
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 1 << 20; i++) {
            text.append("the gateway keeps answering while uploads run. ").append(i % 13 == 0 ? "网关在上传时仍然回答问题，" : "")
                    .append("minified{\"k\":").append(i).append("} ");
        }
        for (OnnxTextEmbedder embedder : List.of(miniLm, bge)) {
            long start = System.nanoTime();
            List<TextChunk> chunks = DocumentChunking.forEmbedder(embedder, ChunkingPolicy.DEFAULT).chunk(text.toString());
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%s: 1 MB chunked in %.2f s into %d chunks%n", embedder.model(), seconds, chunks.size());
            int window = embedder.maxInputTokens();
            assertThat(seconds).as("%s: chunking 1 MB", embedder.model()).isLessThan(60.0);
            assertThat(chunks).hasSizeGreaterThan(500);
            for (TextChunk chunk : chunks.subList(0, 200)) {
                assertThat(chunk.tokens()).isEqualTo(embedder.countAllTokens(chunk.text())).isLessThanOrEqualTo(Math.min(window, 300));
            }
            assertThat(chunks).allSatisfy(c -> assertThat(c.tokens()).isLessThanOrEqualTo(Math.min(window, 300)));
        }
    }

    @Test
    void workRunsOnTheAdaptersOwnThreadsAndAFullQueueDegradesInsteadOfQueueingForever() throws Exception {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        // Many texts, so the work is still running when the callback is attached: a callback attached to an
        // already completed future would run on the test's own thread and prove nothing.
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 128; i++) {
            many.add("a sentence long enough to take the model a moment, number " + i);
        }
        miniLm.embed(many, EmbeddingUse.DOCUMENT).thenRun(() -> threads.add(Thread.currentThread().getName()))
                .get(60, TimeUnit.SECONDS);
        assertThat(threads).singleElement().asString().startsWith("meridian-embedding-");

        try (OnnxTextEmbedder tiny = new OnnxTextEmbedder(new OnnxEmbeddingSettings("all-minilm-l6-v2", 1, 1, 1, 1))) {
            List<CompletableFuture<List<float[]>>> flood = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                flood.add(tiny.embed(List.of("text " + i, "more " + i, "and " + i), EmbeddingUse.DOCUMENT));
            }
            long refused = flood.stream().filter(f -> {
                try {
                    f.get(60, TimeUnit.SECONDS);
                    return false;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(RetrievalUnavailableException.class);
                    assertThat(((RetrievalUnavailableException) e.getCause()).source()).isEqualTo("embeddings");
                    return true;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).count();
            assertThat(refused).isPositive();
        }
    }

    @Test
    void unknownModelsAndBadSettingsAreRefusedWithTheConfigurationKey() {
        assertThatThrownBy(() -> OnnxEmbeddingSettings.defaults().withModel("text-embedding-3-small"))
                .hasMessageContaining("meridian.embedding.model").hasMessageContaining("bge-small-zh-v1.5");
        assertThat(BundledModel.named("BGE-small-zh-v15")).isEqualTo(BundledModel.BGE_SMALL_ZH_V15);
        assertThatThrownBy(() -> new OnnxEmbeddingSettings("all-minilm-l6-v2", 0, 1, 1, 1)).hasMessageContaining("threads");
    }

    @Test
    void aQueryDoesNotWaitBehindBulkEmbeddings() throws Exception {
        try (OnnxTextEmbedder two = new OnnxTextEmbedder(new OnnxEmbeddingSettings("all-minilm-l6-v2", 2, 1, 32, 256))) {
            List<String> bulk = new ArrayList<>();
            for (int i = 0; i < 2048; i++) {
                bulk.add("input number " + i + " of a large embeddings call, long enough to cost the model some work each time");
            }
            CompletableFuture<List<float[]>> big = two.embed(bulk, EmbeddingUse.DOCUMENT);
            Thread.sleep(200); // the bulk runs are queued and running
            long start = System.nanoTime();
            two.embed(List.of("where is the gateway's shutdown documented?"), EmbeddingUse.QUERY).get(30, TimeUnit.SECONDS);
            double queryMillis = (System.nanoTime() - start) / 1e6;
            assertThat(big).as("the bulk call is still under way").isNotDone();
            assertThat(two.load()[0]).as("bulk runs still waiting").isPositive();
            // One thread is kept for queries: the query runs at once instead of after 64 bulk runs.
            assertThat(queryMillis).isLessThan(1_500);
            assertThat(big.get(120, TimeUnit.SECONDS)).hasSize(2048);
        }
    }

    @Test
    void closingWaitsForRunsUnderWayAndRefusesWhatComesAfter() throws Exception {
        OnnxTextEmbedder closing = new OnnxTextEmbedder(new OnnxEmbeddingSettings("all-minilm-l6-v2", 1, 1, 32, 256));
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            texts.add("a text the model embeds while the gateway shuts down, number " + i);
        }
        CompletableFuture<List<float[]>> underWay = closing.embed(texts, EmbeddingUse.DOCUMENT);
        Thread.sleep(100);
        closing.close(); // must not release the model under the running batch
        assertThat(underWay).isCompletedExceptionally(); // the waiting batches were abandoned, the running one finished
        assertThatThrownBy(() -> underWay.get()).cause().isInstanceOf(RetrievalUnavailableException.class);
        assertThatThrownBy(() -> closing.countAllTokens("after close")).isInstanceOf(RetrievalUnavailableException.class);
        assertThat(closing.embed(List.of("after close"), EmbeddingUse.QUERY)).isCompletedExceptionally();
        closing.close(); // twice is harmless
    }
}
