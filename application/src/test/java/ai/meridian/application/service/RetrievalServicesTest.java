package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.EmbedTextsUseCase.EmbedTextsCommand;
import ai.meridian.application.port.in.EmbedTextsUseCase.EmbeddedTexts;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.Passage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetrievalServicesTest {
    static final CallerContext CALLER = new CallerContext("req-1", "acme", "key", null, 0);

    /** Embeds a text as (length, vowels) so tests can reason about it; can be told to fail or to hang. */
    static final class ToyEmbedder implements EmbedTextPort {
        volatile RuntimeException failure;
        volatile boolean hang;
        final List<EmbeddingUse> uses = new ArrayList<>();

        @Override
        public String model() {
            return "toy";
        }

        @Override
        public int dimensions() {
            return 2;
        }

        @Override
        public int countTokens(String text) {
            return text.split(" ").length;
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            uses.add(use);
            if (hang) {
                return new CompletableFuture<>();
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            return CompletableFuture.completedFuture(texts.stream().map(t -> new float[] {t.length(), 1}).toList());
        }
    }

    /** Answers keyword and vector searches from fixed lists. */
    static final class FixedIndex implements KnowledgeIndexPort {
        final List<IndexHit> keywordHits;
        final List<IndexHit> vectorHits;
        volatile RuntimeException keywordFailure;

        FixedIndex(List<IndexHit> keywordHits, List<IndexHit> vectorHits) {
            this.keywordHits = keywordHits;
            this.vectorHits = vectorHits;
        }

        @Override
        public CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> chunks) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<IndexHit>> keywordSearch(String tenant, List<String> knowledgeBases, String query, int limit) {
            return keywordFailure != null ? CompletableFuture.failedFuture(keywordFailure) : CompletableFuture.completedFuture(keywordHits);
        }

        @Override
        public CompletableFuture<List<IndexHit>> vectorSearch(String tenant, List<String> knowledgeBases, float[] vector, int limit) {
            return CompletableFuture.completedFuture(vectorHits);
        }
    }

    static IndexHit hit(String chunkId, double score) {
        return new IndexHit(chunkId, "doc", "docs", "title", "", "text " + chunkId, 0, score);
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

    @Test
    void hybridSearchFusesKeywordAndVectorListsAndEmbedsTheQueryAsAQuery() throws Exception {
        ToyEmbedder embedder = new ToyEmbedder();
        FixedIndex index = new FixedIndex(List.of(hit("a", 9), hit("b", 5)), List.of(hit("b", 0.9), hit("c", 0.8)));
        KnowledgeSearchResult result = new HybridKnowledgeSearch(embedder, index, HybridSearchSettings.defaults())
                .search("acme", List.of("docs"), "query", 10).get(5, TimeUnit.SECONDS);
        assertThat(result.passages()).extracting(Passage::id)
                .containsExactly(HybridKnowledgeSearch.passageId("docs", "b"), HybridKnowledgeSearch.passageId("docs", "a"),
                        HybridKnowledgeSearch.passageId("docs", "c"));
        assertThat(result.passages().get(0).sourceLabel()).isEqualTo("knowledge_base:docs");
        assertThat(result.degraded()).isEmpty();
        assertThat(embedder.uses).containsExactly(EmbedTextPort.EmbeddingUse.QUERY);
        assertThat(new HybridKnowledgeSearch(embedder, index, HybridSearchSettings.defaults())
                .search("acme", List.of("docs"), "query", 2).get(5, TimeUnit.SECONDS).passages()).hasSize(2);
    }

    @Test
    void aFailingOrSlowListDegradesTheSearchInsteadOfFailingIt() throws Exception {
        ToyEmbedder embedder = new ToyEmbedder();
        embedder.hang = true;
        FixedIndex index = new FixedIndex(List.of(hit("a", 9)), List.of(hit("z", 0.9)));
        HybridSearchSettings quick = new HybridSearchSettings(50, 1, 1, 60, Duration.ofMillis(100));
        KnowledgeSearchResult slowEmbedding = new HybridKnowledgeSearch(embedder, index, quick).search("acme", List.of("docs"), "q", 5)
                .get(5, TimeUnit.SECONDS);
        assertThat(slowEmbedding.passages()).extracting(Passage::id).containsExactly(HybridKnowledgeSearch.passageId("docs", "a"));
        assertThat(slowEmbedding.degraded()).singleElement().asString().startsWith("vector: no answer within 100 ms");

        embedder.hang = false;
        index.keywordFailure = new RetrievalUnavailableException("qdrant", "connection refused");
        KnowledgeSearchResult noKeywords = new HybridKnowledgeSearch(embedder, index, quick).search("acme", List.of("docs"), "q", 5)
                .get(5, TimeUnit.SECONDS);
        assertThat(noKeywords.passages()).extracting(Passage::id).containsExactly(HybridKnowledgeSearch.passageId("docs", "z"));
        assertThat(noKeywords.degraded()).containsExactly("keyword: qdrant unavailable (connection refused)");
        assertThat(new HybridKnowledgeSearch(embedder, index, quick).search("acme", List.of(), "q", 5).get().passages()).isEmpty();
    }
}
