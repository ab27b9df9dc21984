package ai.meridian.bootstrap;

import ai.meridian.adapter.out.documenttext.DocumentTextExtractor;
import ai.meridian.adapter.out.embedding.BundledModel;
import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.adapter.out.jdbc.JdbcConversationStore;
import ai.meridian.adapter.out.jdbc.JdbcKnowledgeBaseStore;
import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.adapter.out.qdrant.CollectionLayout;
import ai.meridian.adapter.out.qdrant.QdrantIndexSettings;
import ai.meridian.adapter.out.qdrant.QdrantKnowledgeIndex;
import ai.meridian.adapter.out.quark.QuarkSettings;
import ai.meridian.adapter.out.quark.QuarkWebSearch;
import ai.meridian.adapter.out.searxng.SearxngSettings;
import ai.meridian.adapter.out.searxng.SearxngWebSearch;
import ai.meridian.adapter.out.webfetch.SafePageFetcher;
import ai.meridian.adapter.out.webfetch.WebFetchSettings;
import ai.meridian.application.port.out.ExtractDocumentTextPort;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.application.port.out.PoolGauge;
import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.service.BackendRegistry;
import ai.meridian.application.service.CacheInvalidatingIndex;
import ai.meridian.application.service.ResponseCache;
import ai.meridian.application.service.Chunking;
import ai.meridian.application.service.LanguageEmbeddings;
import ai.meridian.application.service.Reembedding;
import ai.meridian.domain.retrieval.RelevanceModel;
import ai.meridian.application.service.EmbeddingService;
import ai.meridian.application.service.KnowledgeQueryService;
import ai.meridian.application.service.Metering;
import ai.meridian.application.service.KnowledgeBaseService;
import ai.meridian.application.service.GroundingStage;
import ai.meridian.application.service.MaskingWebSearch;
import ai.meridian.application.service.PiiPolicy;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.RetrievalSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Wires networked answers: the web search engine chosen by {@code meridian.web-search.provider}, the safe
 * page fetcher, and the grounding stage that uses them with the knowledge bases.
 */
@Factory
final class RetrievalFactory {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RetrievalFactory.class);
    static final String PROVIDER = "meridian.web-search.provider";
    static final String INDEX = "meridian.knowledge.index";
    static final String AUTO = "auto";

    @Singleton
    RetrievalSettings retrievalSettings(Environment environment) {
        String provider = environment.getProperty(PROVIDER, String.class).orElse("none").toLowerCase(Locale.ROOT);
        if (!List.of("none", "quark", "searxng").contains(provider)) {
            throw new IllegalArgumentException(PROVIDER + " must be none, quark or searxng, not '" + provider + "'");
        }
        String index = environment.getProperty(INDEX, String.class).orElse("lucene").toLowerCase(Locale.ROOT);
        if (!List.of("lucene", "qdrant").contains(index)) {
            throw new IllegalArgumentException(INDEX + " must be lucene or qdrant, not '" + index + "'");
        }
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.retrieval");
        RetrievalSettings d = RetrievalSettings.DEFAULTS;
        return new RetrievalSettings(
                s.duration("web-timeout", d.webTimeout()), s.duration("knowledge-timeout", d.knowledgeTimeout()),
                s.duration("fetch-timeout", d.fetchTimeout()), s.duration("rewrite-timeout", d.rewriteTimeout()),
                s.integer("web-results", d.webResults()), s.integer("knowledge-candidates", d.knowledgeCandidates()),
                s.integer("fetch-pages", d.fetchPages()), s.decimal("web-weight", d.webWeight()),
                s.decimal("knowledge-weight", d.knowledgeWeight()), s.decimal("min-relevance", d.minRelevance()),
                s.flag("rewrite-with-model", d.rewriteWithModel()));
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = PROVIDER, value = "quark")
    QuarkWebSearch quarkWebSearch(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.web-search.quark");
        QuarkSettings d = QuarkSettings.defaults(s.required("api-key"));
        return new QuarkWebSearch(new QuarkSettings(s.string("endpoint", d.endpoint()), d.apiKey(),
                s.string("auth-header").map(QuarkSettings.AuthHeader::fromConfig).orElse(d.authHeader()),
                s.string("engine-type").map(QuarkSettings.EngineType::fromConfig).orElse(d.engineType()),
                s.flag("main-text", d.mainText()), s.flag("markdown-text", d.markdownText()), s.flag("summary", d.summary()),
                s.flag("rerank-score", d.rerankScore()), s.duration("connect-timeout", d.connectTimeout()),
                s.integer("max-response-bytes", d.maxResponseBytes())));
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = PROVIDER, value = "searxng")
    SearxngWebSearch searxngWebSearch(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.web-search.searxng");
        SearxngSettings d = SearxngSettings.defaults(s.required("url"));
        return new SearxngWebSearch(new SearxngSettings(d.baseUrl(), s.string("language", d.language()),
                s.string("categories", d.categories()), s.integer("safe-search", d.safeSearch()),
                s.under("headers").isEmpty() ? d.headers() : Map.copyOf(s.under("headers")),
                s.duration("connect-timeout", d.connectTimeout()), s.integer("max-response-bytes", d.maxResponseBytes())));
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "meridian.web-fetch.enabled", notEquals = "false")
    SafePageFetcher safePageFetcher(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.web-fetch");
        WebFetchSettings d = WebFetchSettings.defaults();
        return new SafePageFetcher(new WebFetchSettings(s.integer("max-bytes", d.maxBytes()), s.duration("timeout", d.timeout()),
                s.duration("read-timeout", d.readTimeout()), s.duration("connect-timeout", d.connectTimeout()),
                s.integer("max-redirects", d.maxRedirects()), s.integer("max-text-chars", d.maxTextChars()),
                s.list("allow-private-hosts").isEmpty() ? d.allowPrivateHosts() : s.list("allow-private-hosts"),
                s.string("user-agent", d.userAgent()), s.integer("extraction-threads", d.extractionThreads())));
    }

    /**
     * The local ONNX embedding models: {@code auto} (the default) routes Chinese text to bge-small-zh-v1.5 and everything
     * else to bge-small-en-v1.5; a bundled model's name uses that one model for every language.
     */
    @Singleton
    @Bean(preDestroy = "close")
    EmbeddingModels embeddingModels(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.embedding");
        OnnxEmbeddingSettings d = OnnxEmbeddingSettings.defaults();
        String model = s.string("model", AUTO);
        OnnxEmbeddingSettings settings = new OnnxEmbeddingSettings(model.equalsIgnoreCase(AUTO) ? d.model() : model,
                s.integer("threads", d.threads()), s.integer("intra-op-threads", d.intraOpThreads()),
                s.integer("max-batch-size", d.maxBatchSize()), s.integer("queue-capacity", d.queueCapacity()));
        if (!model.equalsIgnoreCase(AUTO)) {
            OnnxTextEmbedder one = new OnnxTextEmbedder(settings);
            return new EmbeddingModels(LanguageEmbeddings.single(one), List.of(one));
        }
        OnnxTextEmbedder chinese = new OnnxTextEmbedder(settings.withModel(BundledModel.BGE_SMALL_ZH_V15.id()));
        OnnxTextEmbedder other = new OnnxTextEmbedder(settings.withModel(BundledModel.BGE_SMALL_EN_V15.id()));
        return new EmbeddingModels(new LanguageEmbeddings(chinese, other), List.of(chinese, other));
    }

    /** The models and the routing between them; closing closes the models. */
    record EmbeddingModels(LanguageEmbeddings embeddings, List<OnnxTextEmbedder> models) implements AutoCloseable {
        @Override
        public void close() {
            models.forEach(OnnxTextEmbedder::close);
        }
    }

    @Singleton
    LanguageEmbeddings languageEmbeddings(EmbeddingModels models) {
        return models.embeddings();
    }

    /** The embedded default: BM25 and HNSW vectors in a Lucene index under the data directory. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = INDEX, notEquals = "qdrant")
    LuceneKnowledgeIndex luceneKnowledgeIndex(Environment environment, @Value("${meridian.data-dir:./data}") String dataDir) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.knowledge.lucene");
        LuceneIndexSettings d = LuceneIndexSettings.defaults(Path.of(s.string("path", dataDir + "/knowledge")));
        return new LuceneKnowledgeIndex(new LuceneIndexSettings(d.directory(), s.integer("search-threads", d.searchThreads()),
                s.integer("write-threads", d.writeThreads()), s.decimal("ram-buffer-mb", d.ramBufferMb()),
                s.integer("exact-search-limit", d.exactSearchLimit()), s.integer("hnsw-candidates", d.hnswCandidates()),
                s.duration("compact-after-idle", d.compactAfterIdle()), s.integer("compact-to-segments", d.compactToSegments())));
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = INDEX, value = "qdrant")
    QdrantKnowledgeIndex qdrantKnowledgeIndex(Environment environment) {
        return new QdrantKnowledgeIndex(qdrantSettings(environment));
    }

    /** {@code meridian.knowledge.qdrant.*}: the knowledge bases' Qdrant (the semantic cache's index uses it too, under its own collections). */
    static QdrantIndexSettings qdrantSettings(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.knowledge.qdrant");
        // Every bundled model's space, so that a change of model finds its vectors declared in existing collections.
        Map<String, Integer> spaces = new java.util.LinkedHashMap<>();
        for (BundledModel model : BundledModel.values()) {
            spaces.put(model.id(), model.dimensions());
        }
        QdrantIndexSettings d = QdrantIndexSettings.defaults(spaces);
        String layout = s.string("layout", "shared").toLowerCase(Locale.ROOT);
        if (!layout.equals("shared") && !layout.equals("per-knowledge-base")) {
            throw new IllegalArgumentException(s.key("layout") + " must be shared or per-knowledge-base, not '" + layout + "'");
        }
        return new QdrantIndexSettings(s.string("host", d.host()), s.integer("port", d.port()),
                s.flag("tls", d.tls()), s.string("api-key", d.apiKey()), s.duration("timeout", d.timeout()),
                layout.equals("shared") ? CollectionLayout.SHARED : CollectionLayout.PER_KNOWLEDGE_BASE,
                s.string("collection-prefix", d.collectionPrefix()), spaces, s.integer("hnsw-ef", d.hnswEf()), s.integer("threads", d.threads()));
    }

    /** The catalog of knowledge bases lives in the conversation database. */
    @Singleton
    JdbcKnowledgeBaseStore knowledgeBaseStore(JdbcConversationStore conversations) {
        return conversations.knowledgeBases();
    }

    /** Ingestion's CPU work (text extraction, chunking): {@code meridian.ingestion.threads}, {@code queue-capacity}. */
    @Singleton
    @Bean(preDestroy = "close")
    IngestionWorkers ingestionWorkers(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.ingestion");
        return new IngestionWorkers(s.integer("threads", IngestionWorkers.defaultThreads()), s.integer("queue-capacity", 64));
    }

    @Singleton
    DocumentTextExtractor documentTextExtractor(IngestionWorkers workers) {
        return new DocumentTextExtractor(workers);
    }

    @Singleton
    KnowledgeRetriever knowledgeRetriever(KnowledgeBaseStore store, KnowledgeIndexPort index, LanguageEmbeddings embeddings,
                                          RetrievalSettings settings) {
        return new KnowledgeRetriever(store, index, embeddings, RelevanceModel.DEFAULT, settings);
    }

    @Singleton
    KnowledgeBaseService knowledgeBaseService(KnowledgeBaseStore store, KnowledgeIndexPort knowledgeIndex, LanguageEmbeddings embeddings,
                                              ExtractDocumentTextPort extractor, Optional<FetchPagePort> fetcher, Environment environment,
                                              IngestionWorkers workers, ResponseCache cache) {
        // Every write to a base makes the cached answers grounded in it stale.
        KnowledgeIndexPort index = new CacheInvalidatingIndex(knowledgeIndex, cache);
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.retrieval");
        ChunkingPolicy policy = new ChunkingPolicy(s.integer("chunk-tokens", ChunkingPolicy.DEFAULT.maxTokens()),
                s.integer("chunk-overlap", ChunkingPolicy.DEFAULT.overlapTokens()));
        ChunkingPolicy fitted = Chunking.fitted(policy, embeddings);
        if (!fitted.equals(policy) && s.string("chunk-tokens").isPresent()) {
            LOG.warn("meridian.retrieval.chunk-tokens {} is more than the embedding models read with a title ({} tokens); chunks are cut to {} "
                    + "tokens with an overlap of {}", policy.maxTokens(), embeddings.maxTokens(), fitted.maxTokens(), fitted.overlapTokens());
        }
        SettingsMap ingestion = GatewayConfiguration.section(environment, "meridian.ingestion");
        KnowledgeBaseService.IngestionLimits limits = new KnowledgeBaseService.IngestionLimits(
                ingestion.integer("max-jobs", KnowledgeBaseService.IngestionLimits.DEFAULTS.maxJobs()),
                ingestion.duration("retry-after", KnowledgeBaseService.IngestionLimits.DEFAULTS.retryAfter()));
        return new KnowledgeBaseService(store, index, embeddings, extractor, fetcher, Chunking.chunker(policy, embeddings), Clock.systemUTC(),
                workers, limits);
    }

    /** Ingestion's load for readiness: saturated when it refuses new jobs. Not essential: chat and search still work. */
    @Singleton
    @Named("ingestion")
    PoolGauge ingestionGauge(KnowledgeBaseService service, IngestionWorkers workers) {
        return new PoolGauge() {
            @Override
            public String name() {
                return "ingestion";
            }

            @Override
            public boolean essential() {
                return false;
            }

            @Override
            public Load load() {
                return new Load(workers.busy(), workers.size(), workers.waiting(), service.activeJobs() >= service.maxJobs());
            }
        };
    }

    /** The embedding models' threads, together: saturated when a model's queue is full and new embeddings are refused. */
    @Singleton
    @Named("embeddings")
    PoolGauge embeddingGauge(EmbeddingModels models) {
        return new PoolGauge() {
            @Override
            public String name() {
                return "embeddings";
            }

            @Override
            public boolean essential() {
                return false;
            }

            @Override
            public Load load() {
                int waiting = 0;
                int busy = 0;
                int size = 0;
                boolean saturated = false;
                for (OnnxTextEmbedder model : models.models()) {
                    int[] load = model.load();
                    waiting += load[0];
                    busy += load[1];
                    size += load[2];
                    saturated |= load[0] >= model.queueCapacity();
                }
                return new Load(busy, size, waiting, saturated);
            }
        };
    }

    /** Re-embeds, in the background and shortly after start-up, chunks whose vectors another model made. */
    @Singleton
    Reembedding reembedding(KnowledgeIndexPort index, LanguageEmbeddings embeddings, Environment environment, ResponseCache cache) {
        Reembedding reembedding = new Reembedding(new CacheInvalidatingIndex(index, cache), embeddings);
        if (environment.getProperty("meridian.embedding.reembed", Boolean.class).orElse(true)) {
            reembedding.startSoon(java.time.Duration.ofSeconds(5));
        }
        return reembedding;
    }

    @Singleton
    EmbeddingService embeddingService(LanguageEmbeddings embeddings, Metering metering) {
        return new EmbeddingService(embeddings.models(), metering);
    }

    /** Knowledge queries for clients (the REST and Dify doors), limited and recorded like every use of the models. */
    @Singleton
    KnowledgeQueryService knowledgeQueries(KnowledgeRetriever retriever, Metering metering) {
        return new KnowledgeQueryService(retriever, metering);
    }

    @Singleton
    GroundingStage groundingStage(Optional<SearchWebPort> web, Optional<FetchPagePort> fetcher, Optional<KnowledgeRetriever> knowledge,
                                  BackendRegistry backends, TokenCounter tokens, RetrievalSettings settings, Optional<PiiPolicy> pii) {
        // With PII masking on, queries leave for the search engine with placeholders (meridian.pii.mask-web-search).
        Optional<SearchWebPort> engine = pii.isPresent() && pii.get().maskWebSearch()
                ? web.map(w -> (SearchWebPort) new MaskingWebSearch(w, pii.get())) : web;
        return new GroundingStage(engine, fetcher, knowledge, backends, tokens, settings);
    }
}
