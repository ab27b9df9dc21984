package ai.meridian.bootstrap;

import ai.meridian.adapter.out.quark.QuarkSettings;
import ai.meridian.adapter.out.quark.QuarkWebSearch;
import ai.meridian.adapter.out.searxng.SearxngSettings;
import ai.meridian.adapter.out.searxng.SearxngWebSearch;
import ai.meridian.adapter.out.webfetch.SafePageFetcher;
import ai.meridian.adapter.out.webfetch.WebFetchSettings;
import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.service.BackendRegistry;
import ai.meridian.application.service.GroundingStage;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.RetrievalSettings;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
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
    static final String PROVIDER = "meridian.web-search.provider";

    @Singleton
    RetrievalSettings retrievalSettings(Environment environment) {
        String provider = environment.getProperty(PROVIDER, String.class).orElse("none").toLowerCase(Locale.ROOT);
        if (!List.of("none", "quark", "searxng").contains(provider)) {
            throw new IllegalArgumentException(PROVIDER + " must be none, quark or searxng, not '" + provider + "'");
        }
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.retrieval");
        RetrievalSettings d = RetrievalSettings.DEFAULTS;
        return new RetrievalSettings(
                s.duration("web-timeout", d.webTimeout()), s.duration("knowledge-timeout", d.knowledgeTimeout()),
                s.duration("fetch-timeout", d.fetchTimeout()), s.duration("rewrite-timeout", d.rewriteTimeout()),
                s.integer("web-results", d.webResults()), s.integer("knowledge-candidates", d.knowledgeCandidates()),
                s.integer("fetch-pages", d.fetchPages()), s.decimal("web-weight", d.webWeight()),
                s.decimal("keyword-weight", d.keywordWeight()), s.decimal("vector-weight", d.vectorWeight()),
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

    @Singleton
    GroundingStage groundingStage(Optional<SearchWebPort> web, Optional<FetchPagePort> fetcher, Optional<KnowledgeRetriever> knowledge,
                                  BackendRegistry backends, TokenCounter tokens, RetrievalSettings settings) {
        return new GroundingStage(web, fetcher, knowledge, backends, tokens, settings);
    }
}
