package ai.meridian.bootstrap;

import ai.meridian.adapter.in.anthropic.AnthropicSettings;
import ai.meridian.adapter.out.anthropic.AnthropicBackendFactory;
import ai.meridian.adapter.out.extractive.ExtractiveBackendFactory;
import ai.meridian.adapter.out.jdbc.JdbcConversationStore;
import ai.meridian.adapter.out.inmemory.InMemoryStreamBuffer;
import ai.meridian.adapter.out.jtokkit.JtokkitTokenCounter;
import ai.meridian.adapter.out.redis.RedisConnection;
import ai.meridian.adapter.out.redis.RedisStreamBuffer;
import ai.meridian.adapter.out.openai.OpenAiBackendFactory;
import ai.meridian.adapter.out.openai.OpenAiCompatibleBackend;
import ai.meridian.adapter.out.resilience4j.CircuitBreakerSettings;
import ai.meridian.adapter.out.triton.TritonBackendFactory;
import ai.meridian.adapter.out.resilience4j.Resilience4jCircuitBreakers;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import ai.meridian.application.port.out.PoolGauge;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.service.BackendRegistry;
import ai.meridian.application.service.ChatService;
import ai.meridian.application.service.GroundingStage;
import ai.meridian.application.service.ConversationService;
import ai.meridian.application.service.ConversationSettings;
import ai.meridian.application.service.ConversationStage;
import ai.meridian.application.service.ConversationSummarizer;
import ai.meridian.application.service.HealthService;
import ai.meridian.application.service.TokenCountService;
import ai.meridian.application.service.ResponseService;
import ai.meridian.application.service.ResponseSettings;
import ai.meridian.adapter.out.jdbc.JdbcResponseStore;
import ai.meridian.application.service.StreamResumption;
import ai.meridian.application.service.StreamSettings;
import ai.meridian.application.service.AccessStage;
import ai.meridian.application.service.LimitStage;
import ai.meridian.application.service.MaskingModelBackend;
import ai.meridian.application.service.PiiPolicy;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.observability.MicrometerGatewayMetrics;
import ai.meridian.observability.OpenTelemetryTracing;
import ai.meridian.observability.TracingSettings;
import ai.meridian.observability.TracingSetup;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.netty.channel.socket.SocketChannel;
import io.micronaut.transaction.TransactionOperations;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The one place that knows every module: it reads configuration and wires adapters to the core's
 * ports. Backends are made by whichever {@link ModelBackendFactory} serves their {@code type}. The
 * configuration, the backends and the chat service are created eagerly, so a configuration error stops
 * start-up with its message instead of failing the first request.
 */
@Factory
final class GatewayFactory {

    @Context
    GatewayConfiguration configuration(Environment environment) {
        return GatewayConfiguration.read(environment, System.getenv());
    }

    @Singleton
    PrometheusMeterRegistry prometheusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    @Singleton
    GatewayMetrics gatewayMetrics(PrometheusMeterRegistry registry, @Value("${meridian.metrics.max-tenants:100}") int maxTenants) {
        return new MicrometerGatewayMetrics(registry, maxTenants);
    }

    @Singleton
    @Bean(preDestroy = "close")
    OpenTelemetrySdk openTelemetry(@Value("${meridian.tracing.otlp.enabled:false}") boolean enabled,
                                   @Value("${meridian.tracing.otlp.endpoint:`http://127.0.0.1:4318/v1/traces`}") String endpoint,
                                   @Value("${meridian.tracing.sampling-ratio:1.0}") double samplingRatio,
                                   @Value("${meridian.tracing.service-name:meridian}") String serviceName,
                                   Environment environment) {
        Map<String, String> headers = new java.util.TreeMap<>();
        environment.getProperties("meridian.tracing.otlp.headers").forEach((k, v) -> headers.put(k, String.valueOf(v)));
        return TracingSetup.create(new TracingSettings(enabled, endpoint, headers, samplingRatio, serviceName, Duration.ofSeconds(10)));
    }

    @Singleton
    TelemetryPort telemetry(OpenTelemetrySdk sdk) {
        return new OpenTelemetryTracing(sdk.getTracer("ai.meridian"));
    }

    @Singleton
    CircuitBreakerPort circuitBreakers(GatewayConfiguration configuration) {
        Map<String, BackendSettings> byId = configuration.backends().stream()
                .collect(Collectors.toMap(BackendSettings::id, b -> b));
        return new Resilience4jCircuitBreakers(id -> byId.containsKey(id) ? CircuitBreakerSettings.of(byId.get(id)) : CircuitBreakerSettings.DEFAULTS);
    }

    @Singleton
    TokenCounter tokenCounter(@Value("${meridian.tokenizer.encoding:cl100k_base}") String encoding) {
        return new JtokkitTokenCounter(encoding);
    }

    /** OpenAI-compatible backends share the server's event loops: a request and its upstream call stay on one thread. */
    @Singleton
    @Bean(preDestroy = "close")
    OpenAiBackendFactory openAiBackendFactory(EventLoopGroupRegistry loops, EventLoopGroupFactory transports) {
        Class<? extends SocketChannel> channel = transports
                .channelClass(NettyChannelType.CLIENT_SOCKET, loops.getEventLoopGroupConfiguration("default").orElse(null))
                .asSubclass(SocketChannel.class);
        return new OpenAiBackendFactory(loops.getDefaultEventLoopGroup(), channel);
    }

    /** Messages-API backends ({@code type: anthropic}) share the server's event loops too. */
    @Singleton
    @Bean(preDestroy = "close")
    AnthropicBackendFactory anthropicBackendFactory(EventLoopGroupRegistry loops, EventLoopGroupFactory transports) {
        Class<? extends SocketChannel> channel = transports
                .channelClass(NettyChannelType.CLIENT_SOCKET, loops.getEventLoopGroupConfiguration("default").orElse(null))
                .asSubclass(SocketChannel.class);
        return new AnthropicBackendFactory(loops.getDefaultEventLoopGroup(), channel);
    }

    /** The extractive answerer: {@code type: extractive}, no model needed. */
    @Singleton
    ExtractiveBackendFactory extractiveBackendFactory() {
        return new ExtractiveBackendFactory();
    }

    /** Triton (KServe v2 gRPC) backends: {@code type: triton}. */
    @Singleton
    @Bean(preDestroy = "close")
    TritonBackendFactory tritonBackendFactory() {
        return new TritonBackendFactory();
    }

    @Context
    @Bean(preDestroy = "close")
    BackendRegistry backendRegistry(GatewayConfiguration configuration, List<ModelBackendFactory> factories, Optional<PiiPolicy> pii) {
        List<ModelBackend> backends = new ArrayList<>();
        for (BackendSettings settings : configuration.backends()) {
            ModelBackendFactory factory = factories.stream().filter(f -> f.type().equals(settings.type())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("meridian.backends." + settings.id() + ".type '" + settings.type()
                            + "' is not installed; available: " + factories.stream().map(ModelBackendFactory::type).sorted().toList()));
            ModelBackend backend = factory.create(settings);
            // Untrusted backends get masked prompts and their answers restored (meridian.pii).
            backends.add(pii.isPresent() && pii.get().untrusted(backend.id(), backend.generatesText())
                    ? new MaskingModelBackend(backend, pii.get()) : backend);
        }
        return new BackendRegistry(backends);
    }

    /** The client headers any backend forwards ({@code meridian.backends.<id>.forward-headers}); the doors copy only these. */
    @Singleton
    ForwardedHeaders forwardedHeaders(GatewayConfiguration configuration) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (BackendSettings backend : configuration.backends()) {
            for (String name : backend.list("forward-headers")) {
                try {
                    names.add(ForwardedHeaders.check(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("meridian.backends." + backend.id() + ".forward-headers: " + e.getMessage(), e);
                }
            }
        }
        return new ForwardedHeaders(names);
    }

    /**
     * The public models. With the built-in DeepSeek backend, the models are those DeepSeek's own {@code GET /models}
     * names: start-up waits for that answer (which the backend asked for when it was made) at most
     * {@code meridian.deepseek.discovery-timeout}, else offers the built-in fallback list.
     */
    @Singleton
    ModelCatalog modelCatalog(GatewayConfiguration configuration, BackendRegistry backends,
                              @Value("${meridian.deepseek.discovery-timeout:5s}") String discoveryTimeout) {
        if (!configuration.deepSeekBuiltIn()) {
            return new ModelCatalog(configuration.models());
        }
        Duration timeout = BackendSettings.parseDuration("meridian.deepseek.discovery-timeout", discoveryTimeout);
        Optional<List<String>> listed = Optional.empty();
        if (backends.get(GatewayConfiguration.DEEPSEEK_BACKEND) instanceof OpenAiCompatibleBackend deepSeek) {
            try {
                listed = deepSeek.firstListing().get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                listed = Optional.empty();
            } catch (java.util.concurrent.ExecutionException e) {
                listed = Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ModelDefinition> models = configuration.modelsWithDeepSeek(listed);
        String names = models.stream().filter(m -> m.plan().tiers().stream().anyMatch(t -> t.routing().routes().routes().stream()
                .anyMatch(r -> r.backend().equals(GatewayConfiguration.DEEPSEEK_BACKEND)))).map(ModelDefinition::id).collect(Collectors.joining(", "));
        if (listed.isPresent() && !listed.get().isEmpty()) {
            org.slf4j.LoggerFactory.getLogger(GatewayFactory.class).info("DeepSeek models from DeepSeek's model list: [{}]", names);
        } else {
            org.slf4j.LoggerFactory.getLogger(GatewayFactory.class).warn("DeepSeek's model list could not be read within {}; "
                    + "offering the built-in DeepSeek models [{}]", discoveryTimeout, names);
        }
        return new ModelCatalog(models);
    }

    @Singleton
    @Bean(preDestroy = "shutdownNow")
    ScheduledExecutorService gatewayTimers() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "meridian-timers");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Context
    ChatService chatService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, TelemetryPort telemetry,
                            GatewayMetrics metrics, TokenCounter tokens, ScheduledExecutorService timers, AccessStage access, LimitStage limits,
                            ConversationStage conversations, GroundingStage grounding, StreamBufferPort streamBuffer, StreamSettings streams) {
        // Access and limits first (a refusal reads nothing and calls nothing); history before grounding, which rewrites follow-ups with it.
        return new ChatService(catalog, backends, breakers, telemetry, metrics, tokens, timers, Clock.systemUTC(),
                () -> new SplittableRandom(ThreadLocalRandom.current().nextLong()), List.of(access, limits, conversations, grounding),
                streamBuffer, streams);
    }

    /**
     * How streams outlive their client: {@code meridian.streams.resume-window} (how long an answer goes on after its
     * client left, and how long a finished stream's events are kept; 0 turns resuming off), {@code max-events} per
     * stream, {@code max-lifetime} of any stream's buffer.
     */
    @Singleton
    StreamSettings streamSettings(@Value("${meridian.streams.resume-window:30s}") String window,
                                  @Value("${meridian.streams.max-events:4096}") int maxEvents,
                                  @Value("${meridian.streams.max-lifetime:30m}") String maxLifetime) {
        return new StreamSettings(BackendSettings.parseDuration("meridian.streams.resume-window", window), maxEvents,
                BackendSettings.parseDuration("meridian.streams.max-lifetime", maxLifetime));
    }

    /** Where resumable streams keep their events: this process's memory by default ({@code meridian.streams.buffer: memory}). */
    @Singleton
    @Bean(preDestroy = "close")
    @io.micronaut.context.annotation.Requires(property = "meridian.streams.buffer", value = "memory", defaultValue = "memory")
    InMemoryStreamBuffer memoryStreamBuffer(@Value("${meridian.streams.memory-budget:64MB}") String budget) {
        return new InMemoryStreamBuffer(ByteSizes.parse("meridian.streams.memory-budget", budget), Duration.ofSeconds(1));
    }

    /**
     * Stream buffers on Redis ({@code meridian.streams.buffer: redis}, with {@code meridian.redis.url}), on the gateway's one
     * shared Redis connection: a client may resume on another replica than the one generating its answer.
     */
    @Singleton
    @Bean(preDestroy = "close")
    @io.micronaut.context.annotation.Requires(property = "meridian.streams.buffer", value = "redis")
    RedisStreamBuffer redisStreamBuffer(RedisConnection redis) {
        return new RedisStreamBuffer(redis);
    }

    @Singleton
    StreamResumption streamResumption(StreamBufferPort streamBuffer, StreamSettings streams, GatewayMetrics metrics) {
        return new StreamResumption(streamBuffer, streams, metrics);
    }

    @Singleton
    ConversationSettings conversationSettings(GatewayConfiguration configuration, ModelCatalog catalog,
            @Value("${meridian.conversations.default-context-window-tokens:8192}") int defaultContextWindow,
            @Value("${meridian.conversations.max-history-turns:200}") int maxHistoryTurns,
            @Value("${meridian.conversations.slow-query-threshold:200ms}") String slowQueryThreshold,
            @Value("${meridian.conversations.retry-after:2s}") String retryAfter,
            @Value("${meridian.conversations.summary.model:}") String summaryModel,
            @Value("${meridian.conversations.summary.max-tokens:512}") int summaryMaxTokens) {
        Optional<String> summary = Optional.of(summaryModel.trim()).filter(m -> !m.isEmpty());
        summary.ifPresent(m -> catalog.resolve(m).orElseThrow(() -> new IllegalArgumentException(
                "meridian.conversations.summary.model '" + m + "' is not a configured model (or alias)")));
        return new ConversationSettings(defaultContextWindow, configuration.contextWindowTokens(), maxHistoryTurns,
                BackendSettings.parseDuration("meridian.conversations.slow-query-threshold", slowQueryThreshold),
                BackendSettings.parseDuration("meridian.conversations.retry-after", retryAfter), summary, summaryMaxTokens);
    }

    /** The database is opened and migrated at start-up: a wrong URL or an unreachable server stops start-up with its message. */
    @Context
    @Bean(preDestroy = "close")
    JdbcConversationStore conversationStore(BeanProvider<DataSource> dataSource, BeanProvider<TransactionOperations<Connection>> transactions,
                                            @Value("${meridian.conversations.query-timeout:10s}") String queryTimeout,
                                            @Value("${datasources.default.url:}") String url) {
        Duration timeout = BackendSettings.parseDuration("meridian.conversations.query-timeout", queryTimeout);
        try {
            return JdbcConversationStore.open(dataSource.get(), transactions.get(), (int) Math.max(1, timeout.toSeconds()));
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            // The URL is shown without its query, where a password may be.
            String shown = url.replaceAll("[?;].*$", "");
            throw new IllegalArgumentException("the conversation database (datasources.default.url " + shown + ") cannot be used: "
                    + root.getMessage(), e);
        }
    }

    @Singleton
    ConversationStage conversationStage(JdbcConversationStore store, TokenCounter tokens, ConversationSettings settings,
                                        Provider<ChatService> chat) {
        Optional<ConversationSummarizer> summarizer = settings.summaryModel()
                .map(model -> new ConversationSummarizer(store, chat::get, model, settings.summaryMaxTokens()));
        SecureRandom ids = new SecureRandom();
        return new ConversationStage(store, tokens, settings, Clock.systemUTC(), () -> ids, summarizer);
    }

    /** Stored responses (the Responses API) in the conversation database; older than the retention, they are deleted hourly. */
    @Context
    ResponseService responseService(ChatService chat, JdbcConversationStore store, TokenCounter tokens, TelemetryPort telemetry,
                                     ModelCatalog catalog, ConversationSettings conversations, ScheduledExecutorService timers,
                                     @Value("${meridian.responses.max-chain:100}") int maxChain,
                                     @Value("${meridian.responses.retention:30d}") String retention) {
        JdbcResponseStore responses = store.responses();
        ResponseSettings settings = new ResponseSettings(maxChain,
                name -> catalog.resolve(name).map(m -> conversations.contextWindowFor(m.id())).orElse(conversations.defaultContextWindowTokens()),
                conversations.slowQueryThreshold(), conversations.retryAfter());
        Duration keep = BackendSettings.parseDuration("meridian.responses.retention", retention);
        if (!keep.isZero()) {
            org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ResponseService.class);
            timers.scheduleWithFixedDelay(() -> responses.deleteCreatedBefore(java.time.Instant.now().minus(keep)).whenComplete((deleted, error) -> {
                if (error != null) {
                    log.warn("deleting responses older than {} failed: {}", retention, error.getMessage());
                } else if (deleted > 0) {
                    log.info("deleted {} responses older than {}", deleted, retention);
                }
            }), 1, 60, java.util.concurrent.TimeUnit.MINUTES);
        }
        SecureRandom ids = new SecureRandom();
        return new ResponseService(chat, responses, tokens, settings, telemetry, Clock.systemUTC(), () -> ids);
    }

    @Singleton
    ConversationService manageConversations(JdbcConversationStore store, TelemetryPort telemetry, ConversationSettings settings) {
        return new ConversationService(store, telemetry, settings, Clock.systemUTC());
    }

    @Context
    HealthService healthService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers,
                                ScheduledExecutorService timers, @Value("${meridian.health.probe-interval:10s}") String probeInterval,
                                @Value("${meridian.health.open-circuit-probe-interval:1s}") String openCircuitProbeInterval,
                                JdbcConversationStore store, List<PoolGauge> pools) {
        List<PoolGauge> all = new ArrayList<>();
        all.add(store.poolGauge());
        all.addAll(pools);
        HealthService health = new HealthService(catalog, backends, breakers, Duration.ofSeconds(2), all);
        health.probePeriodically(timers, BackendSettings.parseDuration("meridian.health.probe-interval", probeInterval),
                BackendSettings.parseDuration("meridian.health.open-circuit-probe-interval", openCircuitProbeInterval));
        return health;
    }

    /** Anthropic's count_tokens, answered with the gateway's tokenizer. */
    @Singleton
    TokenCountService tokenCounting(ModelCatalog catalog, TokenCounter tokens) {
        return new TokenCountService(catalog, tokens);
    }

    /**
     * The Anthropic door's settings: {@code meridian.anthropic.model-mapping} (a list of {@code from} name or
     * {@code *} pattern, {@code to} a configured model or alias, first match wins) and {@code ping-interval}; read at
     * start-up, so a mapping to a model that does not exist stops it with the key's name.
     */
    @Context
    AnthropicSettings anthropicSettings(Environment environment, ModelCatalog catalog,
                                        @Value("${meridian.anthropic.ping-interval:10s}") String pingInterval) {
        List<?> declared = environment.getProperty("meridian.anthropic.model-mapping", List.class).orElse(List.of());
        List<AnthropicSettings.ModelRule> rules = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            String path = "meridian.anthropic.model-mapping[" + i + "]";
            if (!(declared.get(i) instanceof Map<?, ?> entry)) {
                throw new IllegalArgumentException(path + " must be a mapping with 'from' and 'to'");
            }
            Object from = entry.get("from");
            Object to = entry.get("to");
            if (from == null || to == null || String.valueOf(from).isBlank() || String.valueOf(to).isBlank()) {
                throw new IllegalArgumentException(path + " needs 'from' (a model name or a pattern with *) and 'to' (a configured model)");
            }
            String model = String.valueOf(to).trim();
            if (catalog.resolve(model).isEmpty()) {
                throw new IllegalArgumentException(path + ".to '" + model + "' is not a configured model (or alias)");
            }
            rules.add(new AnthropicSettings.ModelRule(String.valueOf(from).trim(), model));
        }
        return new AnthropicSettings(rules, BackendSettings.parseDuration("meridian.anthropic.ping-interval", pingInterval));
    }
}
