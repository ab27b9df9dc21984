package ai.meridian.bootstrap;

import ai.meridian.adapter.out.caffeine.CaffeineResponseCache;
import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.adapter.out.qdrant.QdrantIndexSettings;
import ai.meridian.adapter.out.qdrant.QdrantKnowledgeIndex;
import ai.meridian.adapter.out.redis.RedisConnection;
import ai.meridian.adapter.out.redis.RedisResponseCache;
import ai.meridian.application.port.in.CheckHealthUseCase.ComponentHealth;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.ResponseCachePort;
import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.service.CacheAdministration;
import ai.meridian.application.service.CacheSettings;
import ai.meridian.application.service.CacheStage;
import ai.meridian.application.service.HealthService;
import ai.meridian.application.service.LanguageEmbeddings;
import ai.meridian.application.service.ResponseCache;
import ai.meridian.application.service.RetrievalSettings;
import ai.meridian.application.service.SemanticCache;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the response cache from {@code meridian.cache.*}: the first level in this process (Caffeine), the second on
 * the shared Redis connection when {@code meridian.cache.store: redis}, the settings per model
 * ({@code meridian.models[].cache}) and per tenant ({@code meridian.cache.tenants.<tenant>}), and the semantic cache's
 * own vector index (Lucene under the data directory, or Qdrant) when a model turns the semantic cache on.
 */
@Factory
final class CacheFactory {
    private static final Logger LOG = LoggerFactory.getLogger(CacheFactory.class);
    static final String STORE = "meridian.cache.store";
    static final String SEMANTIC_INDEX = "meridian.cache.semantic.index";

    @Singleton
    CacheSettings cacheSettings(Environment environment, RetrievalSettings retrieval) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.cache");
        double defaultThreshold = s.decimal("semantic.threshold", CacheSettings.Semantic.DEFAULT_THRESHOLD);
        Map<String, CacheSettings.ModelCache> models = new LinkedHashMap<>();
        List<?> declared = environment.getProperty("meridian.models", List.class).orElse(List.of());
        for (int i = 0; i < declared.size(); i++) {
            if (!(declared.get(i) instanceof Map<?, ?> model) || !(model.get("cache") instanceof Map<?, ?>)) {
                continue;
            }
            Map<String, String> flat = new java.util.TreeMap<>();
            ((Map<?, ?>) model.get("cache")).forEach((k, v) -> flatten(String.valueOf(k), v, flat));
            SettingsMap m = new SettingsMap("meridian.models[" + i + "].cache", flat);
            String id = String.valueOf(model.get("id"));
            Optional<CacheSettings.Semantic> semantic = m.string("semantic.enabled").isPresent() || m.string("semantic.threshold").isPresent()
                    ? Optional.of(new CacheSettings.Semantic(m.flag("semantic.enabled", true), m.decimal("semantic.threshold", defaultThreshold)))
                    : Optional.empty();
            models.put(id, new CacheSettings.ModelCache(m.string("enabled").map(v -> m.flag("enabled", true)),
                    m.string("ttl").map(v -> SettingsMap.parseDuration(m.key("ttl"), v)),
                    m.string("deterministic-only").map(v -> m.flag("deterministic-only", true)), semantic));
        }
        Map<String, CacheSettings.TenantCache> tenants = new LinkedHashMap<>();
        Map<String, String> tenantKeys = s.under("tenants");
        tenantKeys.keySet().stream().map(k -> k.substring(0, k.indexOf('.') < 0 ? k.length() : k.indexOf('.'))).distinct().forEach(tenant -> {
            SettingsMap t = new SettingsMap("meridian.cache.tenants." + tenant, s.under("tenants." + tenant));
            tenants.put(tenant, new CacheSettings.TenantCache(t.string("enabled").map(v -> t.flag("enabled", true)),
                    t.string("ttl").map(v -> SettingsMap.parseDuration(t.key("ttl"), v))));
        });
        CacheSettings d = CacheSettings.OFF;
        return new CacheSettings(s.flag("enabled", true), s.duration("ttl", d.ttl()), s.duration("max-ttl", d.maxTtl()),
                s.duration("grounding.web-ttl", d.webTtl()), s.duration("l1.max-ttl", d.localMaxTtl()), s.flag("deterministic-only", true),
                retrievalFingerprint(environment, retrieval), models, tenants, new CacheSettings.Semantic(false, defaultThreshold));
    }

    private static void flatten(String key, Object value, Map<String, String> into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(key + "." + k, v, into));
        } else if (value != null) {
            into.put(key, String.valueOf(value));
        }
    }

    /** What shapes a grounded answer besides the request: the search engine, the embedding model, the index, the fusion settings. */
    private static String retrievalFingerprint(Environment environment, RetrievalSettings r) {
        String text = String.join("|", environment.getProperty(RetrievalFactory.PROVIDER, String.class).orElse("none"),
                environment.getProperty("meridian.embedding.model", String.class).orElse(RetrievalFactory.AUTO),
                environment.getProperty(RetrievalFactory.INDEX, String.class).orElse("lucene"),
                String.valueOf(r.webResults()), String.valueOf(r.knowledgeCandidates()), String.valueOf(r.fetchPages()),
                String.valueOf(r.webWeight()), String.valueOf(r.knowledgeWeight()), String.valueOf(r.minRelevance()),
                String.valueOf(r.rewriteWithModel()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Singleton
    ResponseCache responseCache(Environment environment, Optional<RedisConnection> redis, GatewayMetrics metrics,
                                ScheduledExecutorService timers, CacheSettings settings) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.cache");
        String store = s.string("store", "local").toLowerCase(Locale.ROOT);
        if (!List.of("local", "redis").contains(store)) {
            throw new IllegalArgumentException(STORE + " must be local or redis, not '" + store + "'");
        }
        long maxBytes = ByteSizes.parse(s.key("l1.max-size"), s.string("l1.max-size", "64MB"));
        CaffeineResponseCache local = new CaffeineResponseCache(maxBytes);
        Optional<ResponseCachePort> shared = store.equals("redis") ? Optional.of(new RedisResponseCache(redis.orElseThrow())) : Optional.empty();
        ResponseCache cache = new ResponseCache(local, shared, s.duration("redis-timeout", Duration.ofMillis(250)), settings.localMaxTtl(),
                metrics, Clock.systemUTC());
        metrics.watchCacheLevel(ResponseCache.L1, local::stats);
        if (shared.isPresent()) {
            cache.probePeriodically(timers, s.duration("probe-interval", Duration.ofSeconds(1)));
            metrics.watchGauge("meridian.cache.shared", "1 while the response cache's second level (Redis) is used, 0 while answers are "
                    + "cached in this process only (Redis unreachable)", () -> cache.shared() ? 1 : 0);
            LOG.info("the response cache is shared in Redis ({}) behind a first level of {} bytes in this process",
                    redis.get().settings().shown(), maxBytes);
        }
        return cache;
    }

    /** The cache's line in readiness (a bean of its own: the health service is made before the knowledge bases, which need the cache). */
    @io.micronaut.context.annotation.Context
    CacheReadiness cacheReadiness(HealthService health, ResponseCache cache, CacheSettings settings, Optional<RedisConnection> redis) {
        if (cache.hasSharedLevel()) {
            String shown = redis.map(r -> r.settings().shown()).orElse("Redis");
            health.component("response_cache", () -> cache.shared()
                    ? new ComponentHealth("up", "in this process and shared in Redis (" + shown + ")")
                    : new ComponentHealth("degraded", "Redis unreachable (" + cache.lastFailure() + "): answers are cached in this process only"));
        } else if (settings.enabled()) {
            health.component("response_cache", () -> new ComponentHealth("up", "in this process"));
        }
        return new CacheReadiness();
    }

    /** Marks that the cache's readiness line is registered. */
    static final class CacheReadiness {
    }

    /** The semantic cache's own vector index, apart from the knowledge bases: made only when a model turns the semantic cache on. */
    @Singleton
    @Bean(preDestroy = "close")
    SemanticIndex semanticIndex(Environment environment, CacheSettings settings, @Value("${meridian.data-dir:./data}") String dataDir) {
        boolean any = settings.enabled() && settings.models().values().stream()
                .anyMatch(m -> m.semantic().map(CacheSettings.Semantic::enabled).orElse(false) && m.enabled().orElse(true));
        if (!any) {
            return new SemanticIndex(Optional.empty());
        }
        String index = environment.getProperty(SEMANTIC_INDEX, String.class)
                .orElse(environment.getProperty(RetrievalFactory.INDEX, String.class).orElse("lucene")).toLowerCase(Locale.ROOT);
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.cache.semantic");
        if (index.equals("lucene")) {
            LuceneIndexSettings d = LuceneIndexSettings.defaults(Path.of(s.string("lucene.path", dataDir + "/semantic-cache")));
            LOG.info("semantic response cache: prompts indexed in Lucene under {}", d.directory());
            return new SemanticIndex(Optional.of(new LuceneKnowledgeIndex(d)));
        }
        if (index.equals("qdrant")) {
            String prefix = s.string("qdrant.collection-prefix", "meridian_cache");
            LOG.info("semantic response cache: prompts indexed in Qdrant, collections {}*", prefix);
            QdrantIndexSettings q = RetrievalFactory.qdrantSettings(environment);
            return new SemanticIndex(Optional.of(new QdrantKnowledgeIndex(new QdrantIndexSettings(q.host(), q.port(), q.tls(), q.apiKey(),
                    q.timeout(), q.layout(), prefix, q.spaces(), q.hnswEf(), q.threads()))));
        }
        throw new IllegalArgumentException(SEMANTIC_INDEX + " must be lucene or qdrant, not '" + index + "'");
    }

    /** The semantic cache's index, if any; closed with the gateway. */
    record SemanticIndex(Optional<KnowledgeIndexPort> index) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (index.isPresent() && index.get() instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    @Singleton
    CacheStage cacheStage(ResponseCache cache, CacheSettings settings, SemanticIndex semanticIndex, LanguageEmbeddings embeddings,
                          GatewayMetrics metrics) {
        Optional<SemanticCache> semantic = semanticIndex.index().map(index -> new SemanticCache(index, embeddings));
        return new CacheStage(cache, settings, semantic, metrics, Clock.systemUTC());
    }

    @Singleton
    CacheAdministration cacheAdministration(ResponseCache cache, CacheSettings settings) {
        return new CacheAdministration(cache, settings);
    }
}
