package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.ModelMetadataRequest;
import ai.meridian.adapter.out.triton.proto.ModelMetadataResponse;
import ai.meridian.adapter.out.triton.proto.ModelReadyRequest;
import ai.meridian.adapter.out.triton.proto.ModelReadyResponse;
import ai.meridian.adapter.out.triton.proto.ServerReadyRequest;
import ai.meridian.adapter.out.triton.proto.ServerReadyResponse;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.routing.ModelCapabilities;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model backend on NVIDIA Triton, spoken to natively over KServe v2 gRPC: TensorRT-LLM ensembles
 * and vLLM-backend models. Chat messages become one prompt through a chat template; answers stream
 * back through {@code ModelStreamInfer} response by response.
 */
public final class TritonModelBackend implements ModelBackend {
    private static final System.Logger LOG = System.getLogger(TritonModelBackend.class.getName());

    private final TritonBackendConfig config;
    private final EndpointPool endpoints;
    private final DeadlineWatch deadlineWatch;
    /** Checked metadata per Triton model name; a failed fetch is dropped so the next call asks again. */
    private final ConcurrentMap<String, CompletableFuture<ModelSignature>> signatures = new ConcurrentHashMap<>();
    /** What each model can do, by Triton model name; refined once its metadata is read. Asked per request: one map lookup. */
    private final ConcurrentMap<String, ModelCapabilities> capabilities = new ConcurrentHashMap<>();

    TritonModelBackend(TritonBackendConfig config, DeadlineWatch deadlineWatch) {
        this.config = config;
        this.deadlineWatch = deadlineWatch;
        List<EndpointChannel> channels = new ArrayList<>();
        try {
            for (TritonEndpoint endpoint : config.endpoints()) {
                channels.add(new EndpointChannel(endpoint, config));
            }
        } catch (RuntimeException e) {
            channels.forEach(EndpointChannel::close);
            throw e;
        }
        this.endpoints = new EndpointPool(channels);
    }

    @Override
    public String id() {
        return config.id();
    }

    TritonBackendConfig config() {
        return config;
    }

    EndpointPool endpoints() {
        return endpoints;
    }

    DeadlineWatch deadlineWatch() {
        return deadlineWatch;
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        CompletableFuture<Completion> future = new CompletableFuture<>();
        InferenceExchange exchange = new InferenceExchange(this, call, new WholeAnswer(future), false);
        exchange.start();
        future.whenComplete((completion, error) -> {
            if (future.isCancelled()) {
                exchange.cancel();
            }
        });
        return future;
    }

    @Override
    public Cancellable stream(BackendCall call, BackendStreamListener listener) {
        InferenceExchange exchange = new InferenceExchange(this, call, listener, true);
        exchange.start();
        return exchange;
    }

    @Override
    public ModelCapabilities capabilities(String upstreamModel) {
        ModelCapabilities known = capabilities.get(upstreamModel);
        if (known != null) {
            return known;
        }
        return capabilities.computeIfAbsent(upstreamModel, model -> TritonCapabilities.of(config.options(model), config.convention(), knownSignature(model)));
    }

    private ModelSignature knownSignature(String model) {
        CompletableFuture<ModelSignature> fetched = signatures.get(model);
        return fetched != null && fetched.isDone() && !fetched.isCompletedExceptionally() ? fetched.join() : null;
    }

    /** The model's metadata is known: what it can do is now exact (its inputs decide the TensorRT-LLM parameters). */
    private void learned(ModelSignature signature) {
        capabilities.put(signature.model(), TritonCapabilities.of(config.options(signature.model()), config.convention(), signature));
    }

    /**
     * Ready when at least one endpoint says both its server and the backend's own {@code model} are ready; each
     * endpoint's health follows its answer (an endpoint whose server or default model is not ready is skipped).
     */
    @Override
    public CompletableFuture<Boolean> probeReady() {
        return anyEndpoint(endpoint -> probe(endpoint, config.model(), true));
    }

    /**
     * Ready when at least one endpoint says both its server and {@code upstreamModel} are ready ({@code ServerReady},
     * then {@code ModelReady} for that model): every model a route names is asked about, not only the backend's
     * default. Only the server's answer moves an endpoint up or down: a model that is not ready there leaves the
     * endpoint serving its neighbours.
     */
    @Override
    public CompletableFuture<Boolean> probeReady(String upstreamModel) {
        boolean own = upstreamModel.equals(config.model());
        return anyEndpoint(endpoint -> probe(endpoint, upstreamModel, own));
    }

    @Override
    public boolean hasReadinessProbe() {
        return true;
    }

    /**
     * A chat template can end the prompt inside the assistant's turn, so a Triton model continues a partial answer from
     * its exact last character; a Hermes tool-calling model's prompt is built otherwise, and asks by prompt.
     */
    @Override
    public ai.meridian.domain.fallback.ContinuationStyle continuation(String upstreamModel) {
        return config.options(upstreamModel).toolCalling() == ToolCalling.HERMES
                ? ai.meridian.domain.fallback.ContinuationStyle.PROMPT : ai.meridian.domain.fallback.ContinuationStyle.ASSISTANT_PREFIX;
    }

    private CompletableFuture<Boolean> anyEndpoint(java.util.function.Function<EndpointChannel, CompletableFuture<Boolean>> probe) {
        CompletableFuture<Boolean> anyReady = new CompletableFuture<>();
        AtomicInteger unanswered = new AtomicInteger(endpoints.all().size());
        for (EndpointChannel endpoint : endpoints.all()) {
            probe.apply(endpoint).whenComplete((ready, error) -> {
                if (Boolean.TRUE.equals(ready)) {
                    anyReady.complete(true);
                } else if (unanswered.decrementAndGet() == 0) {
                    anyReady.complete(false);
                }
            });
        }
        return anyReady;
    }

    /**
     * Asks one endpoint whether its server and {@code model} are ready. The server's answer moves the endpoint up
     * or down; the model's too when {@code modelMovesEndpoint} (the backend's own model).
     */
    private CompletableFuture<Boolean> probe(EndpointChannel endpoint, String model, boolean modelMovesEndpoint) {
        endpoint.prepareForCall();
        CompletableFuture<ServerReadyResponse> server = new CompletableFuture<>();
        endpoint.stub().withDeadlineAfter(config.controlTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .serverReady(ServerReadyRequest.getDefaultInstance(), completing(server));
        return server.thenCompose(s -> {
            if (!s.getReady()) {
                return CompletableFuture.<Boolean>failedFuture(new IllegalStateException("server not ready"));
            }
            CompletableFuture<ModelReadyResponse> ready = new CompletableFuture<>();
            endpoint.stub().withDeadlineAfter(config.controlTimeout().toNanos(), TimeUnit.NANOSECONDS)
                    .modelReady(ModelReadyRequest.newBuilder().setName(model).setVersion(config.modelVersion()).build(), completing(ready));
            return ready.thenApply(ModelReadyResponse::getReady);
        }).handle((ready, error) -> {
            if (error != null) {
                Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                endpoint.markDown(cause instanceof IllegalStateException ? "server not ready"
                        : "readiness probe failed: " + Status.fromThrowable(cause).getCode());
                return false;
            }
            if (ready) {
                endpoint.markUp();
            } else if (modelMovesEndpoint) {
                endpoint.markDown("model " + model + " not ready");
            } else {
                endpoint.markUp(); // the server answered; only this model is not ready
            }
            return ready;
        });
    }

    /** The model's checked metadata, fetched through {@code via} the first time. */
    CompletableFuture<ModelSignature> signature(String model, EndpointChannel via) {
        CompletableFuture<ModelSignature> known = signatures.get(model);
        if (known != null) {
            return known;
        }
        CompletableFuture<ModelSignature> fetching = new CompletableFuture<>();
        CompletableFuture<ModelSignature> raced = signatures.putIfAbsent(model, fetching);
        if (raced != null) {
            return raced;
        }
        fetchSignature(model, via).whenComplete((signature, error) -> {
            if (error != null) {
                signatures.remove(model, fetching);
                fetching.completeExceptionally(error);
            } else {
                fetching.complete(signature);
                learned(signature);
            }
        });
        return fetching;
    }

    /**
     * Reads and checks the model's metadata. Fails with {@link IllegalArgumentException} when the model
     * does not fit the convention, and with {@link BackendFailureException} when Triton cannot be asked.
     */
    private CompletableFuture<ModelSignature> fetchSignature(String model, EndpointChannel via) {
        CompletableFuture<ModelMetadataResponse> metadata = new CompletableFuture<>();
        via.prepareForCall();
        via.stub().withDeadlineAfter(config.controlTimeout().toNanos(), TimeUnit.NANOSECONDS)
                .modelMetadata(ModelMetadataRequest.newBuilder().setName(model).setVersion(config.modelVersion()).build(), completing(metadata));
        return metadata.handle((response, error) -> {
            if (error != null) {
                Status status = Status.fromThrowable(error);
                if (status.getCode() == Status.Code.UNAVAILABLE) {
                    via.markDown("metadata: " + status.getCode());
                }
                Failure failure = GrpcFailures.ofStatus(status, false, "backend " + config.id() + " (Triton " + via + ", metadata of model " + model + ")");
                throw new BackendFailureException(failure);
            }
            ModelSignature signature = ModelSignature.of(model, response);
            try {
                config.convention().check(signature, config.id(), config.topK() != null);
            } catch (IllegalArgumentException mismatch) {
                LOG.log(Level.ERROR, mismatch.getMessage());
                throw mismatch;
            }
            return signature;
        });
    }

    /**
     * At start-up: a model that does not fit the convention is a configuration error, thrown here.
     * A Triton that cannot be asked (down, still loading the model) does not stop Meridian starting:
     * the check then runs before the first call to the model.
     */
    void verifyModelAtStartup() {
        String lastProblem = "no endpoint answered";
        for (EndpointChannel endpoint : endpoints.all()) {
            CompletableFuture<ModelSignature> fetched = fetchSignature(config.model(), endpoint);
            try {
                ModelSignature signature = fetched.get(config.controlTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
                signatures.put(config.model(), CompletableFuture.completedFuture(signature));
                learned(signature);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IllegalArgumentException mismatch) {
                    throw mismatch;
                }
                lastProblem = e.getCause() instanceof BackendFailureException b ? b.failure().message() : String.valueOf(e.getCause());
            } catch (TimeoutException e) {
                fetched.cancel(true);
                lastProblem = "Triton " + endpoint + " did not answer within " + config.controlTimeout().toMillis() + " ms";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        String problem = lastProblem;
        LOG.log(Level.WARNING, () -> "backend " + config.id() + ": could not read the metadata of Triton model '" + config.model()
                + "' at start-up (" + problem + "); it is checked before the first call instead");
    }

    @Override
    public void close() {
        endpoints.close();
    }

    private static <T> StreamObserver<T> completing(CompletableFuture<T> future) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                future.complete(value);
            }

            @Override
            public void onError(Throwable error) {
                future.completeExceptionally(error);
            }

            @Override
            public void onCompleted() {
                // the value came with onNext
            }
        };
    }

    /** Gathers a whole answer for {@link #complete}: its text and the tool calls the model made. */
    private static final class WholeAnswer implements BackendStreamListener {
        private final CompletableFuture<Completion> future;
        private final AnswerAssembler answer = new AnswerAssembler();

        WholeAnswer(CompletableFuture<Completion> future) {
            this.future = future;
        }

        @Override
        public void onDelta(Delta delta) {
            answer.add(delta);
        }

        @Override
        public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
            answer.finishAll(reason, 1);
            future.complete(new Completion(answer.choices(reason), usage, upstreamModel, null, null, Map.of()));
        }

        @Override
        public void onError(Failure failure) {
            future.completeExceptionally(new BackendFailureException(failure));
        }
    }
}
