package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.FetchedPage;
import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.retrieval.RelevanceModel;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.retrieval.GroundingRequest;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.retrieval.SourceDocument;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.TierRouting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GroundingStageTest {
    private static final RetrievalSettings FAST = new RetrievalSettings(Duration.ofMillis(300), Duration.ofMillis(300),
            Duration.ofMillis(300), Duration.ofMillis(300), 8, 20, 2, 1.0, 1.0, 0.0, true);

    private final InMemoryKnowledgeBaseStore store = new InMemoryKnowledgeBaseStore();
    private final ScriptedWeb web = new ScriptedWeb();
    private final ScriptedIndex index = new ScriptedIndex();
    private final SlowableEmbeddings embeddings = new SlowableEmbeddings();
    private final ScriptedBackend model = new ScriptedBackend("llm");
    private final List<String> fetched = new CopyOnWriteArrayList<>();
    private final FetchPagePort fetcher = url -> {
        fetched.add(url);
        return url.contains("broken")
                ? CompletableFuture.failedFuture(new RuntimeException("refused"))
                : CompletableFuture.completedFuture(new FetchedPage(url, url, "Fetched title", "Fetched page text about " + url, "2026-01-02"));
    };

    private GroundingStage stage(Optional<SearchWebPort> webPort) {
        return stage(webPort, FAST);
    }

    private GroundingStage stage(Optional<SearchWebPort> webPort, RetrievalSettings settings) {
        KnowledgeRetriever retriever = new KnowledgeRetriever(store, index, LanguageEmbeddings.single(embeddings), RelevanceModel.DEFAULT, settings);
        return new GroundingStage(webPort, Optional.of(fetcher), Optional.of(retriever), new BackendRegistry(List.of(model)),
                text -> text.isBlank() ? 0 : text.split("\\s+").length, settings);
    }

    private static ChatContext context(GroundingSettings grounding, GroundingRequest request, ChatMessage... messages) {
        FallbackPlan plan = FallbackPlan.of(new Tier(TierRouting.weighted(Routes.of(new Route("llm", "big-model", 1))), RetryPolicy.NONE));
        ModelDefinition model = new ModelDefinition("online", List.of(), plan, null, grounding);
        ChatRequest chat = new ChatRequest("online", List.of(messages), null, false, false, request);
        ChatCommand command = new ChatCommand(new CallerContext("req", "acme", "key", null, 0), chat);
        return ChatContext.start(command, model, TelemetryPort.NOOP.startRequest("t", null, java.util.Map.of()));
    }

    private static GroundingSettings webAndDocs() {
        return new GroundingSettings(true, List.of("docs"), 8, 3000);
    }

    private void docsBase(String tenant) throws Exception {
        store.createBase(new KnowledgeBase(tenant, "docs", "", Instant.now())).get();
    }

    @Test
    void webAndKnowledgeSourcesAreFusedNumberedAndPutBeforeTheQuestion() throws Exception {
        docsBase("acme");
        web.results = List.of(new WebResult("RRF paper", "https://papers.example/rrf", "Fusion snippet", "2009-07-19", "RRF combines rankings with k = 60.", "papers.example"));
        index.hits(List.of(new IndexHit("doc1:0", "doc1", "docs", "Internal guide", "", "Our gateway fuses web and knowledge results.", 0, 3.2)));
        ChatContext grounded = stage(Optional.of(web)).prepare(context(webAndDocs(), GroundingRequest.AS_CONFIGURED,
                ChatMessage.system("Be brief."), ChatMessage.user("How does fusion work?"))).get(5, TimeUnit.SECONDS);

        assertThat(grounded.citations()).extracting(Citation::url)
                .containsExactlyInAnyOrder("https://papers.example/rrf", "kb://docs/doc1");
        assertThat(grounded.citations()).extracting(Citation::number).containsExactly(1, 2);
        assertThat(grounded.citations()).extracting(Citation::source).containsExactlyInAnyOrder("web", "knowledge_base:docs");
        assertThat(grounded.sources()).extracting(SourceDocument::text)
                .contains("RRF combines rankings with k = 60.", "Our gateway fuses web and knowledge results.");
        assertThat(grounded.messages()).extracting(ChatMessage::role).containsExactly(Role.SYSTEM, Role.SYSTEM, Role.USER);
        String groundingMessage = grounded.messages().get(1).content();
        assertThat(groundingMessage).contains("RRF combines rankings with k = 60.").contains("[1]").contains("https://papers.example/rrf");
        assertThat(grounded.notices()).isEmpty();
        assertThat(web.queries).containsExactly("How does fusion work?");
    }

    @Test
    void aFailingWebSearchDegradesToKnowledgeSourcesWithANotice() throws Exception {
        docsBase("acme");
        web.failure = new RetrievalUnavailableException("quark", "throttled (Retrieval.Throttling.User)");
        index.hits(List.of(new IndexHit("doc1:0", "doc1", "docs", "Guide", "", "Gateway text.", 0, 1)));
        ChatContext grounded = stage(Optional.of(web)).prepare(context(webAndDocs(), GroundingRequest.AS_CONFIGURED,
                ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(grounded.citations()).hasSize(1);
        assertThat(grounded.notices()).singleElement().asString().contains("web search unavailable").contains("quark: throttled");
    }

    @Test
    void aSlowWebSearchIsCutOffAtItsTimeout() throws Exception {
        docsBase("acme");
        web.delay = Duration.ofSeconds(5);
        long start = System.nanoTime();
        ChatContext grounded = stage(Optional.of(web)).prepare(context(webAndDocs(), GroundingRequest.AS_CONFIGURED,
                ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(grounded.notices()).anySatisfy(n -> assertThat(n).contains("web search unavailable (timed out)"));
    }

    @Test
    void slowEmbeddingsLeaveKeywordSearchToCarryOn() throws Exception {
        docsBase("acme");
        embeddings.delay = Duration.ofSeconds(5);
        index.hits(List.of(new IndexHit("doc1:0", "doc1", "docs", "Guide", "", "Keyword hit.", 0, 1)));
        ChatContext grounded = stage(Optional.empty()).prepare(context(new GroundingSettings(false, List.of("docs"), 8, 3000),
                GroundingRequest.AS_CONFIGURED, ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(grounded.sources()).extracting(SourceDocument::text).containsExactly("Keyword hit.");
        assertThat(grounded.notices()).anySatisfy(n -> assertThat(n).contains("vector search").contains("timed out"));
    }

    @Test
    void anUnknownKnowledgeBaseIsTheClientsMistake() {
        assertThatThrownBy(() -> stage(Optional.empty()).prepare(context(GroundingSettings.NONE,
                new GroundingRequest(Optional.empty(), Optional.of(List.of("nope"))), ChatMessage.user("q"))).get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND);
                    assertThat(e.error().param()).isEqualTo("knowledge_bases");
                });
    }

    @Test
    void allKnowledgeBasesMeansTheCallersOwnOnly() throws Exception {
        docsBase("acme");
        store.createBase(new KnowledgeBase("globex", "secret", "", Instant.now())).get();
        stage(Optional.empty()).prepare(context(new GroundingSettings(false, List.of("*"), 8, 3000), GroundingRequest.AS_CONFIGURED,
                ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(index.searchedBases).containsOnly(List.of("docs"));
        assertThat(index.searchedTenants).containsOnly("acme");
    }

    @Test
    void aFollowUpIsRewrittenByTheModelIntoAStandaloneQuery() throws Exception {
        model.answers("\"Meridian gateway release date 2026\"");
        web.results = List.of(new WebResult("News", "https://news.example/m", "", "", "Released in 2026.", ""));
        stage(Optional.of(web)).prepare(context(new GroundingSettings(true, List.of(), 8, 3000), GroundingRequest.AS_CONFIGURED,
                ChatMessage.user("What is Meridian?"), ChatMessage.assistant("An AI gateway."), ChatMessage.user("When was it released?")))
                .get(5, TimeUnit.SECONDS);
        assertThat(web.queries).containsExactly("Meridian gateway release date 2026");
        assertThat(model.calls.get(0).messages().get(1).content()).contains("Last message: When was it released?").contains("An AI gateway.");
        assertThat(model.calls.get(0).params().maxTokens()).isEqualTo(64);
    }

    @Test
    void withoutAReachableModelTheLastMessageIsTheQuery() throws Exception {
        model.fails(ai.meridian.domain.fallback.Failure.of(ai.meridian.domain.fallback.FailureKind.CONNECT, "down"));
        web.results = List.of();
        stage(Optional.of(web)).prepare(context(new GroundingSettings(true, List.of(), 8, 3000), GroundingRequest.AS_CONFIGURED,
                ChatMessage.user("What is Meridian?"), ChatMessage.assistant("An AI gateway."), ChatMessage.user("When was it released?")))
                .get(5, TimeUnit.SECONDS);
        assertThat(web.queries).containsExactly("When was it released?");
    }

    @Test
    void pagesWithoutTextAreFetchedAndAFailedFetchKeepsTheSnippet() throws Exception {
        web.results = List.of(
                new WebResult("A", "https://a.example/1", "snippet a", "", "", ""),
                new WebResult("B", "https://broken.example/2", "snippet b", "", "", ""),
                new WebResult("C", "https://c.example/3", "snippet c", "", "", ""));
        ChatContext grounded = stage(Optional.of(web)).prepare(context(new GroundingSettings(true, List.of(), 8, 3000),
                GroundingRequest.AS_CONFIGURED, ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(fetched).containsExactly("https://a.example/1", "https://broken.example/2");
        assertThat(grounded.sources()).extracting(SourceDocument::text)
                .contains("Fetched page text about https://a.example/1", "snippet b", "snippet c");
    }

    @Test
    void webSearchAskedForButNotConfiguredIsANotice() throws Exception {
        ChatContext grounded = stage(Optional.empty()).prepare(context(GroundingSettings.NONE,
                new GroundingRequest(Optional.of(true), Optional.empty()), ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(grounded.notices()).contains("web search is not configured on this gateway", "no sources were found for this question");
        assertThat(grounded.citations()).isEmpty();
    }

    @Test
    void withoutGroundingNothingChanges() throws Exception {
        ChatContext plain = context(GroundingSettings.NONE, GroundingRequest.AS_CONFIGURED, ChatMessage.user("q"));
        assertThat(stage(Optional.of(web)).prepare(plain).get()).isSameAs(plain);
        assertThat(web.queries).isEmpty();
    }

    @Test
    void knowledgePassagesBelowTheMinimumRelevanceAreNotSources() throws Exception {
        docsBase("acme");
        index.found = List.of(
                new ScoredChunk(new IndexHit("d:0", "d", "docs", "T", "", "Strong match.", 0, 0), 0.8, 0.9, 1, 1),
                new ScoredChunk(new IndexHit("e:0", "e", "docs", "T", "", "Weak match.", 0, 0), 0.05, 0.1, 2, 2));
        RetrievalSettings strict = new RetrievalSettings(FAST.webTimeout(), FAST.knowledgeTimeout(), FAST.fetchTimeout(), FAST.rewriteTimeout(),
                8, 20, 2, 1.0, 1.0, 0.5, true);
        ChatContext grounded = stage(Optional.empty(), strict).prepare(context(new GroundingSettings(false, List.of("docs"), 8, 3000),
                GroundingRequest.AS_CONFIGURED, ChatMessage.user("q"))).get(5, TimeUnit.SECONDS);
        assertThat(grounded.sources()).extracting(SourceDocument::text).containsExactly("Strong match.");
        assertThat(grounded.citations().get(0).score()).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
    }

    @Test
    void theRetrievalOnlyQueryGivesCalibratedScoresByDocumentAndHonoursTheThreshold() throws Exception {
        docsBase("acme");
        index.found = List.of(
                new ScoredChunk(new IndexHit("d:0", "d", "docs", "T", "", "first", 0, 0), 0.7, 0.9, 1, 1),
                new ScoredChunk(new IndexHit("d:1", "d", "docs", "T", "", "second", 1, 0), 0.6, 0.8, 2, 2),
                new ScoredChunk(new IndexHit("e:0", "e", "docs", "U", "", "other", 0, 0), 0.0, 0.2, 0, 3));
        KnowledgeRetriever retriever = new KnowledgeRetriever(store, index, LanguageEmbeddings.single(embeddings), RelevanceModel.DEFAULT, FAST);
        var byChunk = retriever.query(query(10, 0, QueryKnowledgeUseCase.Grouping.CHUNK)).get(5, TimeUnit.SECONDS);
        assertThat(byChunk).extracting(m -> m.passages().get(0).text()).containsExactly("first", "second", "other");
        assertThat(byChunk).allSatisfy(m -> assertThat(m.score()).isBetween(0.0, 1.0));
        assertThat(byChunk.get(0).score()).isGreaterThan(byChunk.get(1).score());
        var byDocument = retriever.query(query(10, 0, QueryKnowledgeUseCase.Grouping.DOCUMENT)).get(5, TimeUnit.SECONDS);
        assertThat(byDocument).extracting(QueryKnowledgeUseCase.KnowledgeMatch::documentId).containsExactly("d", "e");
        assertThat(byDocument.get(0).passages()).extracting(QueryKnowledgeUseCase.MatchedPassage::text).containsExactly("first", "second");
        assertThat(byDocument.get(0).content()).isEqualTo("first\n…\nsecond");
        double weakest = byChunk.get(2).score();
        assertThat(retriever.query(query(10, Math.min(1, weakest + 1e-6), QueryKnowledgeUseCase.Grouping.CHUNK)).get()).hasSize(2);
        assertThatThrownBy(() -> retriever.query(query(0, 0, QueryKnowledgeUseCase.Grouping.CHUNK)).get()).cause().hasMessageContaining("top_k");
        assertThatThrownBy(() -> retriever.query(query(5, 1.5, QueryKnowledgeUseCase.Grouping.CHUNK)).get()).cause()
                .hasMessageContaining("score_threshold");
    }

    private static QueryKnowledgeUseCase.KnowledgeQuery query(int topK, double minScore, QueryKnowledgeUseCase.Grouping grouping) {
        return new QueryKnowledgeUseCase.KnowledgeQuery("acme", List.of("docs"), "q", topK, minScore, MetadataFilter.NONE, grouping);
    }

    // ---- stand-ins ----------------------------------------------------------------------------

    private static final class ScriptedWeb implements SearchWebPort {
        volatile List<WebResult> results = List.of();
        volatile RuntimeException failure;
        volatile Duration delay = Duration.ZERO;
        final List<String> queries = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "quark";
        }

        @Override
        public CompletableFuture<List<WebResult>> search(WebSearchQuery query) {
            queries.add(query.text());
            if (failure != null) {
                return CompletableFuture.failedFuture(failure);
            }
            return CompletableFuture.supplyAsync(() -> results,
                    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static final class ScriptedIndex implements KnowledgeIndexPort {
        volatile List<ScoredChunk> found = List.of();
        final List<List<String>> searchedBases = new CopyOnWriteArrayList<>();
        final List<String> searchedTenants = new CopyOnWriteArrayList<>();

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

        /** Every hit found by both searches, with middling scores, unless {@link #found} is set directly. */
        void hits(List<IndexHit> list) {
            List<ScoredChunk> scored = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                scored.add(new ScoredChunk(list.get(i), 0.5, 0.8, i + 1, i + 1));
            }
            found = scored;
        }

        @Override
        public CompletableFuture<List<ScoredChunk>> search(ChunkQuery query) {
            searchedBases.add(query.knowledgeBases());
            searchedTenants.add(query.tenant());
            List<ScoredChunk> result = found.stream().map(c -> query.hasVector() ? c
                    : new ScoredChunk(c.hit(), c.keyword(), Double.NaN, Math.max(1, c.keywordRank()), 0)).toList();
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public CompletableFuture<List<StoredChunk>> chunksOutside(java.util.Set<String> spaces, int limit) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<Long> countOutside(KnowledgeScope scope, java.util.Set<String> spaces) {
            return CompletableFuture.completedFuture(0L);
        }
    }

    private static final class SlowableEmbeddings implements EmbedTextPort {
        volatile Duration delay = Duration.ZERO;

        @Override
        public String model() {
            return "test";
        }

        @Override
        public int dimensions() {
            return 1;
        }

        @Override
        public int countTokens(String text) {
            return text.split("\\s+").length;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            return CompletableFuture.supplyAsync(() -> texts.stream().map(t -> new float[] {1}).toList(),
                    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static ai.meridian.application.port.in.CallerContext caller(String tenant) {
        return new ai.meridian.application.port.in.CallerContext("req-test", tenant, "test-key", null, 0);
    }
}
