package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.EmbedTextsUseCase.EmbedTextsCommand;
import ai.meridian.application.port.in.EmbedTextsUseCase.EmbeddedTexts;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EmbeddingServiceTest {
    static final CallerContext CALLER = new CallerContext("req-1", "acme", "key", null, 0);

    /** Embeds a text as (length, 1) and counts words as tokens; can be told to fail. */
    static final class ToyEmbedder implements EmbedTextPort {
        volatile RuntimeException failure;
        final List<EmbeddingUse> uses = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public String model() {
            return "toy";
        }

        @Override
        public int dimensions() {
            return 2;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public int countTokens(String text) {
            return text.split(" ").length;
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            uses.add(use);
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            return CompletableFuture.completedFuture(texts.stream().map(t -> new float[] {t.length(), 1}).toList());
        }
    }

    @Test
    void embeddingServiceEmbedsDocumentsAndCountsTokens() throws Exception {
        ToyEmbedder embedder = new ToyEmbedder();
        EmbeddedTexts result = new EmbeddingService(embedder).embed(new EmbedTextsCommand(CALLER, "toy", List.of("a b", "c d e"), null))
                .get(5, TimeUnit.SECONDS);
        assertThat(result.vectors()).hasSize(2);
        assertThat(result.promptTokens()).isEqualTo(5);
        assertThat(embedder.uses).containsExactly(EmbedTextPort.EmbeddingUse.DOCUMENT);
    }

    @Test
    void embeddingServiceRefusesUnknownModelsAndBadInputsInOpenAisTerms() {
        EmbeddingService service = new EmbeddingService(new ToyEmbedder());
        assertThatThrownBy(() -> service.embed(new EmbedTextsCommand(CALLER, "text-embedding-3-small", List.of("x"), null)))
                .isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).error().kind()).isEqualTo(ErrorKind.MODEL_NOT_FOUND));
        assertThatThrownBy(() -> service.embed(new EmbedTextsCommand(CALLER, "toy", List.of("ok", ""), null)))
                .satisfies(e -> assertThat(((GatewayException) e).error().param()).isEqualTo("input[1]"));
        assertThatThrownBy(() -> service.embed(new EmbedTextsCommand(CALLER, "toy", List.of(), null)))
                .satisfies(e -> assertThat(((GatewayException) e).error().param()).isEqualTo("input"));
        assertThatThrownBy(() -> service.embed(new EmbedTextsCommand(CALLER, "toy", java.util.Collections.nCopies(2049, "x"), null)))
                .hasMessageContaining("2048");
        assertThatThrownBy(() -> service.embed(new EmbedTextsCommand(CALLER, "toy", List.of("x"), 3)))
                .satisfies(e -> assertThat(((GatewayException) e).error().param()).isEqualTo("dimensions"));
    }

    @Test
    void aBusyEmbedderIsAServiceUnavailableWithRetryAfter() {
        ToyEmbedder embedder = new ToyEmbedder();
        embedder.failure = new RetrievalUnavailableException("embeddings", "the embedding queue is full");
        CompletableFuture<EmbeddedTexts> result = new EmbeddingService(embedder).embed(new EmbedTextsCommand(CALLER, "toy", List.of("x"), null));
        assertThatThrownBy(() -> result.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(GatewayException.class)
                .satisfies(e -> {
                    assertThat(((GatewayException) e).error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
                    assertThat(((GatewayException) e).error().retryAfter()).isEqualTo(Duration.ofSeconds(1));
                });
    }

    /** The ledger's lines as they are written. */
    static final class ListLedgerStore implements ai.meridian.application.port.out.UsageLedgerStore {
        final List<ai.meridian.domain.usage.UsageRecord> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> add(List<ai.meridian.domain.usage.UsageRecord> records) {
            lines.addAll(records);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<ai.meridian.application.port.in.ReadUsageUseCase.UsagePage> query(
                ai.meridian.application.port.in.ReadUsageUseCase.UsageQuery query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<java.util.Map<String, SpentTokens>> spentSince(java.time.LocalDate day, java.time.LocalDate monthStart) {
            return CompletableFuture.completedFuture(java.util.Map.of());
        }
    }

    @Test
    void aMeteredServiceRefusesBeforeEmbeddingAndChargesAndRecordsTheModelsCount() throws Exception {
        TenancyTest.MutableClock clock = new TenancyTest.MutableClock(java.time.Instant.parse("2026-11-27T12:00:00Z"));
        ListLedgerStore store = new ListLedgerStore();
        UsageLedger ledger = new UsageLedger(store);
        Metering metering = new Metering(new Admission(new FixedWindowLimiter(clock)), ledger,
                ai.meridian.application.port.out.GatewayMetrics.NOOP, clock);
        ToyEmbedder embedder = new ToyEmbedder();
        EmbeddingService service = new EmbeddingService(List.of(embedder), metering);
        ai.meridian.domain.tenancy.KeyLimits budget = new ai.meridian.domain.tenancy.KeyLimits(null, null, 6L, null);
        CallerContext caller = new CallerContext("req-2", "acme", "k1", null, 0, java.util.Map.of(),
                new ai.meridian.domain.tenancy.Access(ai.meridian.domain.tenancy.Role.MEMBER, List.of(), List.of(), budget, false), "");

        // Estimated at 2 + 7/4 = 4 tokens before (4 of 6 would fit), counted as 4 words after; the next would need 8.
        EmbeddedTexts first = service.embed(new EmbedTextsCommand(caller, "toy", List.of("a b c d"), null)).get(5, TimeUnit.SECONDS);
        assertThat(first.promptTokens()).isEqualTo(4);
        assertThat(embedder.uses).hasSize(1);
        CompletableFuture<EmbeddedTexts> refused = service.embed(new EmbedTextsCommand(caller, "toy", List.of("a b c d"), null));
        assertThatThrownBy(() -> refused.get(5, TimeUnit.SECONDS)).cause().isInstanceOf(GatewayException.class)
                .satisfies(e -> assertThat(((GatewayException) e).error().code()).isEqualTo("insufficient_quota"));
        assertThat(embedder.uses).as("refused before the model is asked").hasSize(1);

        ledger.flush().get();
        assertThat(store.lines).singleElement().satisfies(line -> {
            assertThat(line.model()).isEqualTo("toy");
            assertThat(line.backend()).isEqualTo(EmbeddingService.LEDGER_BACKEND);
            assertThat(line.keyId()).isEqualTo("k1");
            assertThat(line.requests()).isEqualTo(1);
            assertThat(line.inputTokens()).isEqualTo(4);
        });
    }

    @Test
    void theEstimateReadsHanCharactersAsTokensAndStopsAtTheModelsWindow() {
        ToyEmbedder toy = new ToyEmbedder();
        assertThat(EmbeddingService.estimate(toy, List.of("hello world"))).isEqualTo(5);
        assertThat(EmbeddingService.estimate(toy, List.of("你好世界"))).isEqualTo(6);
        assertThat(EmbeddingService.estimate(toy, List.of("x".repeat(100_000), "y"))).isEqualTo(512 + 3);
    }
}
