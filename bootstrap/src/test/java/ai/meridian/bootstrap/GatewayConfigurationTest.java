package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.fallback.RetryPolicy;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.yaml.YamlPropertySourceLoader;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigurationTest {

    private static GatewayConfiguration read(String yaml, Map<String, String> env) {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .properties(Map.of("meridian.data-dir", TestGateway.tempDataDir()))
                .propertySources(yamlSource(yaml)).build().start()) {
            return GatewayConfiguration.read(context.getEnvironment(), env);
        }
    }

    private static PropertySource yamlSource(String yaml) {
        try {
            Map<String, Object> map = new YamlPropertySourceLoader().read("test.yml", new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
            return PropertySource.of("test.yml", map);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String FULL = String.join("\n",
            "meridian:",
            "  backends:",
            "    vllm-small:",
            "      type: openai",
            "      base-url: http://10.0.0.5:8000/v1",
            "      headers:",
            "        X-Team: search",
            "      circuit-breaker:",
            "        failure-rate-threshold: 40",
            "    vllm-large:",
            "      type: openai",
            "      base-url: http://10.0.0.6:8000/v1",
            "    vllm-next:",
            "      type: OpenAI",
            "      base-url: http://10.0.0.7:8000/v1",
            "  models:",
            "    - id: Qwen/Qwen2.5-7B-Instruct",
            "      aliases: [qwen, qwen2.5]",
            "      owned-by: acme",
            "      routes:",
            "        - {backend: vllm-large, model: Qwen/Qwen2.5-7B-Instruct, weight: 3}",
            "        - {backend: vllm-next, model: Qwen/Qwen2.5-7B-Instruct}",
            "      complexity:",
            "        max-simple-chars: 120",
            "        simple-routes:",
            "          - {backend: vllm-small, model: Qwen/Qwen2.5-1.5B-Instruct}",
            "      canary:",
            "        percent: 20",
            "        routes: [{backend: vllm-next, model: qwen-next}]",
            "      retry: {max-attempts: 3, initial-backoff: 50ms, max-backoff: 1s, retry-after-cap: 10s}",
            "      fallbacks:",
            "        - routes: [{backend: vllm-small, model: Qwen/Qwen2.5-1.5B-Instruct}]",
            "          retry: {max-attempts: 1}",
            "      static-answer: The assistant is busy.",
            "");

    @Test
    void readsEveryFeatureOfAModel() {
        GatewayConfiguration configuration = read(FULL, Map.of());
        assertThat(configuration.backends()).extracting(BackendSettings::id).containsExactly("vllm-small", "vllm-large", "vllm-next", "extractive");
        BackendSettings small = configuration.backends().get(0);
        assertThat(small.type()).isEqualTo("openai");
        assertThat(small.string("base-url")).contains("http://10.0.0.5:8000/v1");
        assertThat(small.under("headers")).containsEntry("x-team", "search");
        assertThat(small.under("circuit-breaker")).containsEntry("failure-rate-threshold", "40");
        assertThat(configuration.backends().get(2).type()).as("types are case-insensitive").isEqualTo("openai");

        ModelDefinition model = configuration.models().get(0);
        assertThat(model.id()).isEqualTo("Qwen/Qwen2.5-7B-Instruct");
        assertThat(model.aliases()).containsExactly("qwen", "qwen2.5");
        assertThat(model.ownedBy()).isEqualTo("acme");
        assertThat(model.plan().tiers()).hasSize(2);
        Tier primary = model.plan().tiers().get(0);
        assertThat(primary.routing().routes().routes()).containsExactly(
                new Route("vllm-large", "Qwen/Qwen2.5-7B-Instruct", 3), new Route("vllm-next", "Qwen/Qwen2.5-7B-Instruct", 1));
        assertThat(primary.routing().complexity()).hasValueSatisfying(c -> {
            assertThat(c.rule().maxSimpleChars()).isEqualTo(120);
            assertThat(c.simpleRoutes().routes()).containsExactly(new Route("vllm-small", "Qwen/Qwen2.5-1.5B-Instruct", 1));
        });
        assertThat(primary.routing().canary()).hasValueSatisfying(c -> assertThat(c.percent()).isEqualTo(20));
        assertThat(primary.retry()).isEqualTo(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(10)));
        assertThat(model.plan().tiers().get(1).retry().maxAttempts()).isEqualTo(1);
        assertThat(model.plan().staticAnswer()).contains("The assistant is busy.");
    }

    @Test
    void mistakesAreReportedWithTheirKey() {
        assertThatThrownBy(() -> read("meridian:\n  backends:\n    a:\n      base-url: http://x\n", Map.of()))
                .hasMessageContaining("meridian.backends.a.type");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - routes: [{backend: a, model: m}]\n", Map.of()))
                .hasMessageContaining("meridian.models[0].id");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n      routes: {backend: a}\n", Map.of()))
                .hasMessageContaining("model 'm'").hasMessageContaining("routes must be a list");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n      routes: [{backend: a, model: x, weight: heavy}]\n", Map.of()))
                .hasMessageContaining("routes[0].weight").hasMessageContaining("heavy");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n      routes: [{backend: a}]\n", Map.of()))
                .hasMessageContaining("routes[0].model is required");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n      routes: [{backend: a, model: x}]\n      retry: {max-backoff: soon}\n", Map.of()))
                .hasMessageContaining("retry.max-backoff");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n", Map.of()))
                .hasMessageContaining("model 'm'").hasMessageContaining("at least one tier or a static answer");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: m\n      routes: [{backend: a, model: x}]\n      canary: {percent: 120, routes: [{backend: a, model: y}]}\n", Map.of()))
                .hasMessageContaining("canary percent");
    }

    @Test
    void aDeepSeekKeyAloneGivesDeepSeekModels() {
        GatewayConfiguration configuration = read("meridian:\n  master-key: k\n", Map.of("DEEPSEEK_API_KEY", "sk-ds"));
        assertThat(configuration.backends()).extracting(BackendSettings::id).containsExactly("deepseek", "extractive");
        assertThat(configuration.backends()).first().satisfies(b -> {
            assertThat(b.id()).isEqualTo("deepseek");
            assertThat(b.string("base-url")).contains("https://api.deepseek.com/v1");
            assertThat(b.string("api-key")).contains("sk-ds");
        });
        assertThat(configuration.models()).as("until DeepSeek's own list is read: the fallback list and the older names")
                .extracting(ModelDefinition::id).containsExactly("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-chat", "deepseek-reasoner");
        assertThat(configuration.models().get(0).plan().tiers().get(0).routing().routes().routes())
                .containsExactly(new Route("deepseek", "deepseek-v4-flash", 1));
        assertThat(configuration.backends().get(0).string("models[0].name")).contains("deepseek-v4-flash");
        assertThat(configuration.backends().get(0).string("models[0].context-window")).contains("1048576");
        assertThat(configuration.deepSeekBuiltIn()).isTrue();
    }

    @Test
    void deepSeeksOwnModelListDecidesItsModelsAndTheFallbackListStandsInForIt() {
        GatewayConfiguration configuration = read(String.join("\n", "meridian:", "  backends:", "    mine:", "      type: openai",
                "      base-url: http://x/v1", "  models:", "    - id: deepseek-v4-pro", "      routes: [{backend: mine, model: m}]", ""),
                Map.of("DEEPSEEK_API_KEY", "sk-ds"));
        assertThat(configuration.modelsWithDeepSeek(java.util.Optional.of(List.of("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v5-preview"))))
                .extracting(ModelDefinition::id)
                .as("configured models keep their names; DeepSeek's list in its order, then the older names")
                .containsExactly("deepseek-v4-pro", "deepseek-v4-flash", "deepseek-v5-preview", "deepseek-chat", "deepseek-reasoner");
        assertThat(configuration.modelsWithDeepSeek(java.util.Optional.empty())).isEqualTo(configuration.models());
        assertThat(configuration.modelsWithDeepSeek(java.util.Optional.of(List.of()))).isEqualTo(configuration.models());
        assertThat(configuration.models()).extracting(ModelDefinition::id)
                .containsExactly("deepseek-v4-pro", "deepseek-v4-flash", "deepseek-chat", "deepseek-reasoner");
        GatewayConfiguration without = read("meridian:\n  master-key: k\n", Map.of());
        assertThat(without.deepSeekBuiltIn()).isFalse();
        assertThat(without.modelsWithDeepSeek(java.util.Optional.of(List.of("x")))).isEqualTo(without.models());
    }

    @Test
    void withNothingConfiguredTheExtractiveModelAnswersFromAllKnowledgeBasesAndTheWeb() {
        GatewayConfiguration configuration = read("meridian:\n  master-key: k\n", Map.of());
        assertThat(configuration.models()).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("extractive");
            assertThat(m.grounding().knowledgeBases()).containsExactly("*");
            assertThat(m.grounding().webSearch()).as("no search provider configured").isFalse();
        });
        assertThat(read("meridian:\n  web-search:\n    provider: searxng\n    searxng:\n      url: http://127.0.0.1:9\n", Map.of()).models().get(0).grounding().webSearch()).isTrue();
        assertThat(configuration.backends()).extracting(BackendSettings::id).containsExactly("extractive");
    }

    @Test
    void aModelCanBeAnotherPlusGroundingAndEndWithTheExtractiveTier() {
        GatewayConfiguration configuration = read(String.join("\n", "meridian:", "  backends:", "    ds:", "      type: openai",
                "      base-url: http://x/v1", "  models:",
                "    - id: deepseek-chat",
                "      routes: [{backend: ds, model: deepseek-chat}]",
                "      fallbacks: [{routes: [{backend: extractive, model: extractive}]}]",
                "    - id: deepseek-chat-online",
                "      base: deepseek-chat",
                "      grounding: {web-search: true, knowledge-bases: [docs], max-sources: 5, context-tokens: 2000}",
                ""), Map.of());
        ModelDefinition online = configuration.models().get(1);
        assertThat(online.plan()).isEqualTo(configuration.models().get(0).plan());
        assertThat(online.grounding().webSearch()).isTrue();
        assertThat(online.grounding().knowledgeBases()).containsExactly("docs");
        assertThat(online.grounding().maxSources()).isEqualTo(5);
        assertThat(configuration.models().get(0).grounding().enabled()).isFalse();
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: a\n      base: nothing-yet\n", Map.of()))
                .hasMessageContaining("base 'nothing-yet' must name a model declared before it");
        assertThatThrownBy(() -> read("meridian:\n  models:\n    - id: a\n      routes: [{backend: x, model: y}]\n      grounding: {knowledge-bases: [Bad Name]}\n", Map.of()))
                .hasMessageContaining("grounding").hasMessageContaining("Bad Name");
    }

    @Test
    void configuredModelsAreNotReplacedByTheDeepSeekDefaults() {
        GatewayConfiguration configuration = read(String.join("\n", "meridian:", "  backends:", "    mine:", "      type: openai",
                "      base-url: http://x/v1", "  models:", "    - id: deepseek-chat", "      routes: [{backend: mine, model: m}]", ""),
                Map.of("DEEPSEEK_API_KEY", "sk-ds"));
        assertThat(configuration.models()).extracting(ModelDefinition::id)
                .containsExactly("deepseek-chat", "deepseek-v4-flash", "deepseek-v4-pro", "deepseek-reasoner");
        assertThat(configuration.models().get(0).plan().tiers().get(0).routing().routes().routes().get(0).backend()).isEqualTo("mine");
    }

    @Test
    void startUpStopsOnAConfigurationErrorWithItsMessage() {
        assertThatThrownBy(() -> TestGateway.start(Map.of(
                "backends", Map.of("a", Map.of("type", "openai", "base-url", "http://127.0.0.1:9/v1")),
                "models", List.of(Map.of("id", "m", "routes", List.of(TestGateway.route("ghost", "x")))))))
                .satisfies(e -> assertThat(Meridian.rootMessage(e)).contains("routes to unknown backend 'ghost'"));
        assertThatThrownBy(() -> TestGateway.start(Map.of("backends", Map.of("a", Map.of("type", "carrier-pigeon")))))
                .satisfies(e -> assertThat(Meridian.rootMessage(e)).contains("type 'carrier-pigeon' is not installed"));
    }

    @Test
    void contextWindowsAreReadPerModelAndCheckedAndTheSummaryModelMustExist() {
        GatewayConfiguration configuration = read(String.join("\n", "meridian:", "  backends:", "    b: {type: openai, base-url: \"http://x/v1\"}",
                "  models:", "    - id: big", "      routes: [{backend: b, model: m}]", "      context-window-tokens: 32768",
                "    - id: plain", "      routes: [{backend: b, model: m}]", ""), Map.of());
        assertThat(configuration.contextWindowTokens()).containsExactly(Map.entry("big", 32768));
        assertThatThrownBy(() -> read(String.join("\n", "meridian:", "  backends:", "    b: {type: openai, base-url: \"http://x/v1\"}",
                "  models:", "    - id: tiny", "      routes: [{backend: b, model: m}]", "      context-window-tokens: 12", ""), Map.of()))
                .hasMessageContaining("model 'tiny'").hasMessageContaining("context-window-tokens must be at least 256");
        assertThatThrownBy(() -> TestGateway.start(Map.of(
                "backends", Map.of("b", Map.of("type", "openai", "base-url", "http://127.0.0.1:9/v1")),
                "models", List.of(Map.of("id", "m", "routes", List.of(TestGateway.route("b", "x")))),
                "conversations", Map.of("summary", Map.of("model", "ghost")))))
                .satisfies(e -> assertThat(Meridian.rootMessage(e)).contains("meridian.conversations.summary.model 'ghost' is not a configured model"));
    }

    @Test
    void anUnreachableDatabaseStopsStartUpWithItsMessage() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        int closedPort = port;
        assertThatThrownBy(() -> TestGateway.startRaw(Map.of("meridian", Map.of("master-key", "k"),
                "datasources", Map.of("default", Map.of("url", "jdbc:postgresql://127.0.0.1:" + closedPort + "/meridian", "connection-timeout", 500)))))
                .satisfies(e -> assertThat(Meridian.rootMessage(e)).containsIgnoringCase("connection"));
    }

    @Test
    void withoutAKeyTheGatewayListensOnLoopbackOnly() {
        try (TestGateway open = TestGateway.startRaw(Map.of("meridian", Map.of("master-key", ""),
                "micronaut", Map.of("server", Map.of("host", "0.0.0.0"))))) {
            assertThat(open.context().getBean(EmbeddedServer.class).getHost()).isEqualTo("127.0.0.1");
            assertThat(open.get("/v1/models", "authorization", null).statusCode()).as("no key needed then").isEqualTo(200);
        }
    }

    @Test
    void withAKeyTheConfiguredHostIsKept() {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false)
                .properties(Map.of("meridian.master-key", "k", "micronaut.server.host", "0.0.0.0", "micronaut.server.port", -1,
                        "meridian.data-dir", TestGateway.tempDataDir())).start()) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
            assertThat(server.getHost()).isEqualTo("0.0.0.0");
        }
    }
}
