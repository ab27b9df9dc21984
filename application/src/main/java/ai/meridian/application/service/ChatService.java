package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ListModelsUseCase;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Answers chat requests: resolves the public model, then walks its fallback plan (routing, retries,
 * circuit breakers, tiers, static answer) for a whole answer or a stream.
 */
public final class ChatService implements CompleteChatUseCase, ListModelsUseCase {
    final ModelCatalog catalog;
    final BackendRegistry backends;
    final CircuitBreakerPort breakers;
    final TelemetryPort telemetry;
    final GatewayMetrics metrics;
    final TokenCounter tokens;
    final ScheduledExecutorService scheduler;
    final Clock clock;
    final Supplier<RandomGenerator> randoms;
    /** Where resumable streams keep their events; null when streams are not resumable. */
    final ai.meridian.application.port.out.StreamBufferPort streamBuffer;
    final StreamSettings streams;
    private final List<ChatStage> stages;
    private final long startedAtEpochSecond;

    public ChatService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, TelemetryPort telemetry,
                       GatewayMetrics metrics, TokenCounter tokens, ScheduledExecutorService scheduler, Clock clock,
                       Supplier<RandomGenerator> randoms, List<ChatStage> stages) {
        this(catalog, backends, breakers, telemetry, metrics, tokens, scheduler, clock, randoms, stages, null, StreamSettings.OFF);
    }

    /**
     * With {@code streamBuffer} and a resume window in {@code streams}, streamed answers can be resumed after a lost
     * connection and go on for the window after their client left.
     */
    public ChatService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, TelemetryPort telemetry,
                       GatewayMetrics metrics, TokenCounter tokens, ScheduledExecutorService scheduler, Clock clock,
                       Supplier<RandomGenerator> randoms, List<ChatStage> stages,
                       ai.meridian.application.port.out.StreamBufferPort streamBuffer, StreamSettings streams) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.backends = Objects.requireNonNull(backends, "backends");
        this.breakers = Objects.requireNonNull(breakers, "breakers");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.randoms = Objects.requireNonNull(randoms, "randoms");
        this.stages = List.copyOf(stages);
        this.streams = Objects.requireNonNull(streams, "streams");
        this.streamBuffer = streams.resumable() ? Objects.requireNonNull(streamBuffer, "a resume window needs a stream buffer") : null;
        backends.verifyCovers(catalog);
        catalog.models().stream().flatMap(BackendRegistry::routesOf).map(r -> List.of(r.backend(), r.upstreamModel())).distinct()
                .forEach(pair -> metrics.watchCircuit(pair.get(0), pair.get(1), () -> breakers.gate(pair.get(0), pair.get(1)).state()));
        this.startedAtEpochSecond = clock.instant().getEpochSecond();
    }

    @Override
    public CompletableFuture<ChatReply> complete(ChatCommand command) {
        ModelDefinition model;
        try {
            model = resolve(command);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompleteExecution execution = new CompleteExecution(this, command, model);
        CompletableFuture<ChatReply> reply = execution.start();
        execution.launch();
        return reply;
    }

    @Override
    public Cancellable stream(ChatCommand command, ChatStreamObserver observer) {
        ModelDefinition model;
        try {
            model = resolve(command);
        } catch (GatewayException e) {
            observer.onError(e.error());
            return () -> { };
        }
        StreamExecution execution = new StreamExecution(this, command, model, observer);
        execution.launch();
        return execution;
    }

    /** Runs every stage's preparation in order. */
    CompletableFuture<ChatContext> prepare(ChatContext context) {
        CompletableFuture<ChatContext> prepared = CompletableFuture.completedFuture(context);
        for (ChatStage stage : stages) {
            prepared = prepared.thenCompose(stage::prepare);
        }
        return prepared;
    }

    /** Lets every stage record the outcome, last stage first; done means the turn is durable. */
    CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
        CompletableFuture<Void> recorded = CompletableFuture.completedFuture(null);
        for (int i = stages.size() - 1; i >= 0; i--) {
            ChatStage stage = stages.get(i);
            recorded = recorded.thenCompose(ignored -> stage.record(context, outcome));
        }
        return recorded;
    }

    private ModelDefinition resolve(ChatCommand command) {
        String name = command.request().model();
        return catalog.resolve(name).orElseThrow(() -> new GatewayException(new GatewayError(ErrorKind.MODEL_NOT_FOUND,
                "The model '" + name + "' does not exist. GET /v1/models lists the models you can use.", "model", null, null)));
    }

    @Override
    public List<ModelInfo> listModels() {
        List<ModelInfo> models = new ArrayList<>();
        for (ModelDefinition model : catalog.models()) {
            Map<String, Object> capabilities = capabilities(model);
            models.add(new ModelInfo(model.id(), model.ownedBy(), startedAtEpochSecond, null, capabilities));
            for (String alias : model.aliases()) {
                models.add(new ModelInfo(alias, model.ownedBy(), startedAtEpochSecond, model.id(), capabilities));
            }
        }
        return models;
    }

    /** What the model can do through at least one of its routes, as its backends know it now (discovery may add to it). */
    private Map<String, Object> capabilities(ModelDefinition model) {
        List<ModelCapabilities> routes = BackendRegistry.routesOf(model).map(backends::capabilities).toList();
        return ModelCapabilities.acrossRoutes(routes).describe();
    }

    @Override
    public Optional<ModelInfo> findModel(String name) {
        return listModels().stream().filter(m -> m.id().equals(name)).findFirst();
    }
}
