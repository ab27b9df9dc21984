package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.GRPCInferenceServiceGrpc;
import ai.meridian.adapter.out.triton.proto.InferParameter;
import ai.meridian.adapter.out.triton.proto.InferTensorContents;
import ai.meridian.adapter.out.triton.proto.ModelInferRequest;
import ai.meridian.adapter.out.triton.proto.ModelInferRequest.InferInputTensor;
import ai.meridian.adapter.out.triton.proto.ModelInferResponse;
import ai.meridian.adapter.out.triton.proto.ModelMetadataRequest;
import ai.meridian.adapter.out.triton.proto.ModelMetadataResponse;
import ai.meridian.adapter.out.triton.proto.ModelMetadataResponse.TensorMetadata;
import ai.meridian.adapter.out.triton.proto.ModelReadyRequest;
import ai.meridian.adapter.out.triton.proto.ModelReadyResponse;
import ai.meridian.adapter.out.triton.proto.ModelStreamInferResponse;
import ai.meridian.adapter.out.triton.proto.ServerLiveRequest;
import ai.meridian.adapter.out.triton.proto.ServerLiveResponse;
import ai.meridian.adapter.out.triton.proto.ServerReadyRequest;
import ai.meridian.adapter.out.triton.proto.ServerReadyResponse;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;

/**
 * A Triton server for tests and benchmarks: a real gRPC server on 127.0.0.1 speaking the project's
 * {@code inference} proto, with a TensorRT-LLM ensemble or a vLLM-backend model. It checks requests as
 * Triton does (names, datatypes, shapes, raw sizes), decodes them with its own code, answers each as
 * scripted (pieces, delays, statuses, error messages, cut or endless streams) and counts calls the
 * client abandoned. Standalone: {@code FakeTritonServer <port> <trtllm|vllm> [pieces] [piece-delay-ms]}.
 */
public final class FakeTritonServer implements AutoCloseable {
    private static final Context.Key<String> TRACEPARENT = Context.key("traceparent");
    private static final Metadata.Key<String> TRACEPARENT_HEADER = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

    private final Convention convention;
    private final String model;
    private final boolean tokenOutputs;
    private final boolean inputTokenOutput;
    private final ModelMetadataResponse metadata;
    private final Map<String, TensorMetadata> inputSpecs = new LinkedHashMap<>();
    private final Set<String> outputNames;
    private final Deque<TritonBehavior> script = new ConcurrentLinkedDeque<>();
    private final TritonBehavior defaultBehavior;
    /**
     * The most recent requests, for tests to inspect. Bounded, and not copy-on-write: as a benchmark upstream the
     * server takes hundreds of thousands of calls, and copying the whole list on each one stalled it.
     */
    private final java.util.ArrayDeque<ReceivedRequest> requests = new java.util.ArrayDeque<>();
    private static final int KEPT_REQUESTS = 10_000;
    private final AtomicInteger abandoned = new AtomicInteger();
    private volatile long lastAbandonedNanos;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-triton-scheduler");
        t.setDaemon(true);
        return t;
    });
    private final Server server;
    private volatile boolean serverReady = true;
    private volatile boolean modelReady = true;
    /** Every model name served (the first is {@link #model}); the others share its signature. */
    private final Set<String> served = ConcurrentHashMap.newKeySet();
    /** Served models whose ModelReady says no. */
    private final Set<String> notReady = ConcurrentHashMap.newKeySet();
    /** Served models whose every inference fails with INTERNAL (a broken model on a healthy server). */
    private final Set<String> failing = ConcurrentHashMap.newKeySet();
    /** The whole server is out: not ready, and every inference fails with UNAVAILABLE. */
    private volatile boolean outage;

    private FakeTritonServer(Builder b) {
        this.convention = b.convention;
        this.model = b.model;
        this.served.add(b.model);
        this.served.addAll(b.alsoServing);
        this.tokenOutputs = b.tokenOutputs;
        this.inputTokenOutput = b.inputTokenOutput;
        this.defaultBehavior = b.defaultBehavior;
        this.metadata = metadata(b);
        metadata.getInputsList().forEach(t -> inputSpecs.put(t.getName(), t));
        this.outputNames = metadata.getOutputsList().stream().map(TensorMetadata::getName).collect(java.util.stream.Collectors.toSet());
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", b.port))
                .directExecutor()
                .addService(ServerInterceptors.intercept(new Service(), new TraceparentCapture()));
        if (b.keyManager != null) {
            try {
                builder.sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(b.keyManager)).build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            this.server = builder.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Builder of(Convention convention) {
        return new Builder(convention);
    }

    static FakeTritonServer start(Convention convention) {
        return of(convention).start();
    }

    /** How to build one: the convention's usual model, which may lack tensors, serve TLS or answer by default. */
    static final class Builder {
        private final Convention convention;
        private String model;
        private final List<String> alsoServing = new ArrayList<>();
        private int port;
        private final Set<String> withoutInputs = new java.util.HashSet<>();
        private final Map<String, String> retyped = new LinkedHashMap<>();
        private KeyManagerFactory keyManager;
        private boolean tokenOutputs;
        private boolean inputTokenOutput;
        private TritonBehavior defaultBehavior = TritonBehavior.answer("Hello", " from", " a", " fake", " Triton", ".");

        Builder(Convention convention) {
            this.convention = convention;
            this.model = convention == Convention.VLLM ? "vllm_model" : "ensemble";
        }

        Builder model(String value) {
            model = value;
            return this;
        }

        /** More models on the same server, with the same signature. */
        Builder alsoServing(String... names) {
            alsoServing.addAll(List.of(names));
            return this;
        }

        Builder port(int value) {
            port = value;
            return this;
        }

        Builder withoutInput(String name) {
            withoutInputs.add(name);
            return this;
        }

        Builder withInputType(String name, String datatype) {
            retyped.put(name, datatype);
            return this;
        }

        /** An ensemble that also returns the tensorrt_llm model's {@code output_ids} and {@code sequence_length}. */
        Builder withTokenOutputs() {
            tokenOutputs = true;
            return this;
        }

        /** An ensemble that maps the preprocessing's input length to an output {@code num_input_tokens}. */
        Builder withInputTokenOutput() {
            inputTokenOutput = true;
            return this;
        }

        Builder tls(KeyManagerFactory value) {
            keyManager = value;
            return this;
        }

        Builder answeringByDefault(TritonBehavior value) {
            defaultBehavior = value;
            return this;
        }

        FakeTritonServer start() {
            return new FakeTritonServer(this);
        }
    }

    int port() {
        return server.getPort();
    }

    /** For tests in other modules (the gateway end to end): a fake of the named convention on a free port. */
    public static FakeTritonServer startNamed(String convention) {
        return start(Convention.named(convention));
    }

    /**
     * For tests in other modules: a fake of the named convention serving {@code model}, a Hermes-style tool-calling
     * model ({@link HermesToolModel}) that calls the prompt's first tool and answers from a tool's response.
     */
    public static FakeTritonServer startHermesToolModel(String convention, String model) {
        return of(Convention.named(convention)).model(model).answeringByDefault(TritonBehavior.hermesToolModel()).start();
    }

    public String endpoint() {
        return "127.0.0.1:" + port();
    }

    public String model() {
        return model;
    }

    void enqueue(TritonBehavior... behaviors) {
        script.addAll(List.of(behaviors));
    }

    List<ReceivedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** When a client last abandoned a call ({@link System#nanoTime()}), 0 if never. */
    public long lastAbandonedNanos() {
        return lastAbandonedNanos;
    }

    private void abandon() {
        lastAbandonedNanos = System.nanoTime();
        abandoned.incrementAndGet();
    }

    public int abandonedCalls() {
        return abandoned.get();
    }

    void ready(boolean server, boolean model) {
        serverReady = server;
        modelReady = model;
    }

    /** For tests in other modules: a fake that answers every request with {@code pieces} tokens, {@code delay} apart. */
    public static FakeTritonServer startSlow(String convention, int pieces, Duration delay) {
        String[] words = new String[pieces];
        for (int i = 0; i < pieces; i++) {
            words[i] = "t" + i + " ";
        }
        return of(Convention.named(convention)).answeringByDefault(TritonBehavior.answer(words).withPieceDelay(delay)).start();
    }

    /** For tests in other modules: a fake of the named convention serving several models (the first is {@link #model()}). */
    public static FakeTritonServer startServing(String convention, String first, String... others) {
        return of(Convention.named(convention)).model(first).alsoServing(others).start();
    }

    /** Whether ModelReady says {@code name} is ready. */
    public void modelReady(String name, boolean ready) {
        if (ready) {
            notReady.remove(name);
        } else {
            notReady.add(name);
        }
    }

    /** Whether every inference of {@code name} fails (INTERNAL) while its neighbours are served. */
    public void failModel(String name, boolean fails) {
        if (fails) {
            failing.add(name);
        } else {
            failing.remove(name);
        }
    }

    /** An outage of the whole server (on) and its end (off): not ready, every inference UNAVAILABLE. */
    public void outage(boolean on) {
        outage = on;
    }

    /** Inference requests received for {@code name} so far (the most recent {@value #KEPT_REQUESTS} kept). */
    public long requestsFor(String name) {
        synchronized (requests) {
            return requests.stream().filter(r -> name.equals(r.model())).count();
        }
    }

    @Override
    public void close() {
        server.shutdownNow();
        scheduler.shutdownNow();
        try {
            server.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: FakeTritonServer <port> <trtllm|vllm> [pieces, default 6] [piece-delay-ms, default 0]");
            System.exit(2);
        }
        int pieces = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        Duration delay = Duration.ofMillis(args.length > 3 ? Long.parseLong(args[3]) : 0);
        String[] words = new String[pieces];
        for (int i = 0; i < pieces; i++) {
            words[i] = i == 0 ? "token0" : " token" + i;
        }
        TritonBehavior answer = TritonBehavior.answer(words);
        if (!delay.isZero()) {
            answer = answer.withPieceDelay(delay);
        }
        FakeTritonServer server = of(Convention.named(args[1])).port(Integer.parseInt(args[0])).answeringByDefault(answer).start();
        System.out.println("FakeTritonServer listening on " + server.endpoint() + " (convention " + args[1]
                + ", model " + server.model() + ", " + pieces + " pieces, " + delay.toMillis() + " ms apart)");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.server.awaitTermination();
    }

    // ---- metadata -------------------------------------------------------------------------------

    private static ModelMetadataResponse metadata(Builder b) {
        ModelMetadataResponse.Builder m = ModelMetadataResponse.newBuilder().setName(b.model).addVersions("1");
        if (b.convention == Convention.TRTLLM) {
            // The TensorRT-LLM ensemble: max_batch_size > 0, so every tensor has a leading batch dimension.
            m.setPlatform("ensemble");
            input(m, b, "text_input", "BYTES", -1, 1);
            input(m, b, "max_tokens", "INT32", -1, 1);
            input(m, b, "bad_words", "BYTES", -1, -1);
            input(m, b, "stop_words", "BYTES", -1, -1);
            input(m, b, "end_id", "INT32", -1, 1);
            input(m, b, "pad_id", "INT32", -1, 1);
            input(m, b, "top_k", "INT32", -1, 1);
            input(m, b, "top_p", "FP32", -1, 1);
            input(m, b, "temperature", "FP32", -1, 1);
            input(m, b, "length_penalty", "FP32", -1, 1);
            input(m, b, "repetition_penalty", "FP32", -1, 1);
            input(m, b, "presence_penalty", "FP32", -1, 1);
            input(m, b, "frequency_penalty", "FP32", -1, 1);
            input(m, b, "random_seed", "UINT64", -1, 1);
            input(m, b, "beam_width", "INT32", -1, 1);
            input(m, b, "stream", "BOOL", -1, 1);
            output(m, "text_output", "BYTES", -1, -1);
            output(m, "cum_log_probs", "FP32", -1, -1);
            output(m, "batch_index", "INT32", -1, 1);
            if (b.tokenOutputs) {
                output(m, "output_ids", "INT32", -1, -1, -1);
                output(m, "sequence_length", "INT32", -1, -1);
            }
            if (b.inputTokenOutput) {
                output(m, "num_input_tokens", "INT32", -1, 1);
            }
        } else {
            // The vLLM backend: max_batch_size 0, no batch dimension.
            m.setPlatform("vllm");
            input(m, b, "text_input", "BYTES", 1);
            input(m, b, "stream", "BOOL", 1);
            input(m, b, "sampling_parameters", "BYTES", 1);
            input(m, b, "exclude_input_in_output", "BOOL", 1);
            input(m, b, "return_finish_reason", "BOOL", 1);
            input(m, b, "return_cumulative_logprob", "BOOL", 1);
            input(m, b, "return_num_input_tokens", "BOOL", 1);
            input(m, b, "return_num_output_tokens", "BOOL", 1);
            output(m, "text_output", "BYTES", -1);
            output(m, "finish_reason", "BYTES", -1);
            output(m, "cumulative_logprob", "FP32", -1);
            output(m, "num_input_tokens", "UINT32", 1);
            output(m, "num_output_tokens", "UINT32", -1);
        }
        return m.build();
    }

    private static void input(ModelMetadataResponse.Builder m, Builder b, String name, String datatype, long... shape) {
        if (!b.withoutInputs.contains(name)) {
            TensorMetadata.Builder t = m.addInputsBuilder().setName(name).setDatatype(b.retyped.getOrDefault(name, datatype));
            for (long d : shape) {
                t.addShape(d);
            }
        }
    }

    private static void output(ModelMetadataResponse.Builder m, String name, String datatype, long... shape) {
        TensorMetadata.Builder t = m.addOutputsBuilder().setName(name).setDatatype(datatype);
        for (long d : shape) {
            t.addShape(d);
        }
    }

    // ---- the service ----------------------------------------------------------------------------

    private final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        @Override
        public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
            response.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
            response.onCompleted();
        }

        @Override
        public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
            response.onNext(ServerReadyResponse.newBuilder().setReady(serverReady && !outage).build());
            response.onCompleted();
        }

        @Override
        public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
            response.onNext(ModelReadyResponse.newBuilder().setReady(modelReady && !outage && served.contains(request.getName())
                    && !notReady.contains(request.getName())).build());
            response.onCompleted();
        }

        @Override
        public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
            if (!served.contains(request.getName())) {
                response.onError(Status.NOT_FOUND.withDescription("Request for unknown model: '" + request.getName() + "' is not found").asRuntimeException());
                return;
            }
            response.onNext(metadata.toBuilder().setName(request.getName()).build());
            response.onCompleted();
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
            ServerCallStreamObserver<ModelInferResponse> call = (ServerCallStreamObserver<ModelInferResponse>) response;
            call.setOnCancelHandler(FakeTritonServer.this::abandon);
            infer("ModelInfer", request, new Responder() {
                @Override
                public void send(ModelInferResponse r) {
                    call.onNext(r);
                }

                @Override
                public void errorMessage(String message) {
                    call.onError(Status.INTERNAL.withDescription(message).asRuntimeException());
                }

                @Override
                public void fail(Status status) {
                    call.onError(status.asRuntimeException());
                }

                @Override
                public void complete() {
                    call.onCompleted();
                }

                @Override
                public boolean cancelled() {
                    return call.isCancelled();
                }

                @Override
                public boolean unary() {
                    return true;
                }
            });
        }

        @Override
        public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> response) {
            ServerCallStreamObserver<ModelStreamInferResponse> call = (ServerCallStreamObserver<ModelStreamInferResponse>) response;
            call.setOnCancelHandler(FakeTritonServer.this::abandon);
            Responder responder = new Responder() {
                @Override
                public void send(ModelInferResponse r) {
                    call.onNext(ModelStreamInferResponse.newBuilder().setInferResponse(r).build());
                }

                @Override
                public void errorMessage(String message) {
                    call.onNext(ModelStreamInferResponse.newBuilder().setErrorMessage(message).build());
                }

                @Override
                public void fail(Status status) {
                    call.onError(status.asRuntimeException());
                }

                @Override
                public void complete() {
                    call.onCompleted();
                }

                @Override
                public boolean cancelled() {
                    return call.isCancelled();
                }

                @Override
                public boolean unary() {
                    return false;
                }
            };
            return new StreamObserver<>() {
                @Override
                public void onNext(ModelInferRequest request) {
                    infer("ModelStreamInfer", request, responder);
                }

                @Override
                public void onError(Throwable t) {
                    // the client went away; the cancel handler counted it
                }

                @Override
                public void onCompleted() {
                    // half-close: the answer in progress still completes, and then the RPC
                }
            };
        }
    }

    /** Where one request's responses go: the unary call or the stream. */
    private interface Responder {
        void send(ModelInferResponse response);

        void errorMessage(String message);

        void fail(Status status);

        void complete();

        boolean cancelled();

        boolean unary();
    }

    /** Carries the caller's traceparent header into the call's context. */
    private static final class TraceparentCapture implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String traceparent = headers.get(TRACEPARENT_HEADER);
            return Contexts.interceptCall(Context.current().withValue(TRACEPARENT, traceparent), call, headers, next);
        }
    }

    // ---- inference ------------------------------------------------------------------------------

    private void infer(String rpc, ModelInferRequest request, Responder responder) {
        if (outage) {
            responder.fail(Status.UNAVAILABLE.withDescription("server is out"));
            return;
        }
        if (failing.contains(request.getModelName())) {
            responder.fail(Status.INTERNAL.withDescription("model " + request.getModelName() + " failed"));
            return;
        }
        ReceivedRequest received;
        try {
            received = decode(rpc, request);
        } catch (IllegalArgumentException invalid) {
            // Triton reports a bad request as an error_message inside a stream, as INVALID_ARGUMENT otherwise.
            if (responder.unary()) {
                responder.fail(Status.INVALID_ARGUMENT.withDescription(invalid.getMessage()));
            } else {
                responder.errorMessage(invalid.getMessage());
                responder.complete();
            }
            return;
        }
        synchronized (requests) {
            if (requests.size() == KEPT_REQUESTS) {
                requests.removeFirst();
            }
            requests.addLast(received);
        }
        TritonBehavior behavior = script.poll();
        if (behavior == null) {
            behavior = defaultBehavior;
        }
        if (behavior.failWith() != null) {
            responder.fail(Status.fromCode(behavior.failWith()).withDescription(behavior.message()));
            return;
        }
        if (behavior.hang()) {
            return;
        }
        new Answer(received, behavior, responder, request).run();
    }

    /** One scripted answer, sent step by step; steps with a delay go through the scheduler, never a sleeping thread. */
    private final class Answer {
        private final ReceivedRequest request;
        private final TritonBehavior behavior;
        private final Responder responder;
        private final boolean streaming;
        private final boolean marksFinal;
        private final List<String> pieces;
        private final String finishReason;
        private final List<Step> steps = new ArrayList<>();
        private final StringBuilder sentSoFar = new StringBuilder();

        private record Step(Duration delay, Runnable action) {
        }

        Answer(ReceivedRequest request, TritonBehavior behavior, Responder responder, ModelInferRequest raw) {
            this.request = request;
            this.behavior = behavior;
            this.responder = responder;
            this.streaming = request.flag("stream");
            InferParameter enable = raw.getParametersMap().get("triton_enable_empty_final_response");
            this.marksFinal = behavior.marksFinal() && enable != null && enable.getBoolParam();
            int maxTokens = maxTokens();
            List<String> all = behavior.piecesFor(request.text("text_input"));
            this.pieces = all.size() > maxTokens ? all.subList(0, maxTokens) : all;
            this.finishReason = all.size() > maxTokens ? "length" : "stop";
            plan();
        }

        /** Each piece is one token here; vLLM's own default is 16 tokens when max_tokens is not given. */
        private int maxTokens() {
            if (convention == Convention.TRTLLM) {
                return ((Long) request.single("max_tokens")).intValue();
            }
            Object max = request.inputs().containsKey("sampling_parameters") ? request.samplingParameters().get("max_tokens") : null;
            return max == null ? 16 : ((Long) max).intValue();
        }

        private void plan() {
            if (!streaming) {
                Duration wait = behavior.firstDelay().plus(behavior.pauseBeforeLast());
                String prefix = convention == Convention.VLLM && !request.flag("exclude_input_in_output") ? request.text("text_input") : "";
                steps.add(new Step(wait, () -> responder.send(response(prefix + String.join("", pieces), pieces.size(), true, true))));
                steps.add(new Step(Duration.ZERO, responder::complete));
                return;
            }
            for (int i = 0; i < pieces.size(); i++) {
                if (i == behavior.cutAfter()) {
                    steps.add(new Step(Duration.ZERO, () -> responder.fail(Status.UNAVAILABLE.withDescription("Connection reset by peer"))));
                    return;
                }
                if (i == behavior.errorAfter()) {
                    steps.add(new Step(Duration.ZERO, () -> {
                        responder.errorMessage(behavior.message());
                        responder.complete();
                    }));
                    return;
                }
                String piece = pieces.get(i);
                boolean last = i == pieces.size() - 1;
                Duration delay = i == 0 ? behavior.firstDelay() : last ? behavior.pauseBeforeLast() : behavior.pieceDelay();
                // vLLM marks its last output final; the TensorRT-LLM ensemble ends with an empty final response.
                boolean finalHere = last && convention == Convention.VLLM && !behavior.closesWithoutFinal();
                steps.add(new Step(delay, () -> {
                    sentSoFar.append(piece);
                    responder.send(response(behavior.cumulative() ? sentSoFar.toString() : piece, 1, last, finalHere));
                }));
            }
            if (convention == Convention.TRTLLM && !behavior.closesWithoutFinal() && marksFinal) {
                steps.add(new Step(Duration.ZERO, () -> responder.send(emptyFinal())));
            }
            steps.add(new Step(Duration.ZERO, responder::complete));
        }

        void run() {
            runFrom(0, false);
        }

        /** Runs steps in order; a step with a delay is scheduled (its delay then counts as served) instead of slept. */
        private void runFrom(int index, boolean delayServed) {
            for (int i = index; i < steps.size(); i++) {
                if (responder.cancelled()) {
                    return;
                }
                Step step = steps.get(i);
                if (!(delayServed && i == index) && !step.delay().isZero()) {
                    int at = i;
                    scheduler.schedule(() -> runFrom(at, true), step.delay().toNanos(), TimeUnit.NANOSECONDS);
                    return;
                }
                step.action().run();
            }
        }

        private ModelInferResponse response(String text, int tokens, boolean last, boolean isFinal) {
            ModelInferResponse.Builder r = ModelInferResponse.newBuilder().setModelName(model).setModelVersion("1").setId(request.id());
            if (marksFinal) {
                r.putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(isFinal).build());
            }
            boolean typed = behavior.typedContents();
            long[] textShape = convention == Convention.TRTLLM ? new long[] {1, 1} : new long[] {1};
            if (wanted("text_output")) {
                addBytes(r, "text_output", textShape, text, typed);
            }
            if (convention == Convention.TRTLLM && tokenOutputs) {
                if (wanted("output_ids")) {
                    addInt32s(r, "output_ids", new long[] {1, 1, tokens}, tokens, typed);
                }
                if (wanted("sequence_length")) {
                    addInt32s(r, "sequence_length", new long[] {1, 1}, 1, typed, tokens);
                }
            }
            if (convention == Convention.TRTLLM && inputTokenOutput && wanted("num_input_tokens")) {
                addInt32s(r, "num_input_tokens", new long[] {1, 1}, 1, typed, request.text("text_input").split("\\s+").length);
            }
            if (convention == Convention.VLLM) {
                if (wanted("finish_reason") && request.flag("return_finish_reason")) {
                    addBytes(r, "finish_reason", new long[] {1}, last ? finishReason : "None", typed);
                }
                if (wanted("num_input_tokens") && request.flag("return_num_input_tokens")) {
                    addUint32(r, "num_input_tokens", request.text("text_input").split("\\s+").length, typed);
                }
                if (wanted("num_output_tokens") && request.flag("return_num_output_tokens")) {
                    addUint32(r, "num_output_tokens", tokens, typed);
                }
            }
            return r.build();
        }

        private ModelInferResponse emptyFinal() {
            return ModelInferResponse.newBuilder().setModelName(model).setModelVersion("1").setId(request.id())
                    .putParameters("triton_final_response", InferParameter.newBuilder().setBoolParam(true).build()).build();
        }

        private boolean wanted(String output) {
            return request.requestedOutputs().isEmpty() || request.requestedOutputs().contains(output);
        }
    }

    private static void addBytes(ModelInferResponse.Builder r, String name, long[] shape, String value, boolean typed) {
        ModelInferResponse.InferOutputTensor.Builder t = r.addOutputsBuilder().setName(name).setDatatype("BYTES");
        for (long d : shape) {
            t.addShape(d);
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (typed) {
            t.setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(bytes)));
        } else {
            r.addRawOutputContents(ByteString.copyFrom(ByteBuffer.allocate(4 + bytes.length).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).put(bytes).array()));
        }
    }

    /** {@code count} INT32 elements: token ids 1000, 1001, … or, when {@code values} are given, those. */
    private static void addInt32s(ModelInferResponse.Builder r, String name, long[] shape, int count, boolean typed, int... values) {
        ModelInferResponse.InferOutputTensor.Builder t = r.addOutputsBuilder().setName(name).setDatatype("INT32");
        for (long d : shape) {
            t.addShape(d);
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (int i = 0; i < count; i++) {
            int value = values.length > i ? values[i] : 1000 + i;
            raw.putInt(value);
            contents.addIntContents(value);
        }
        if (typed) {
            t.setContents(contents);
        } else {
            r.addRawOutputContents(ByteString.copyFrom(raw.array()));
        }
    }

    private static void addUint32(ModelInferResponse.Builder r, String name, int value, boolean typed) {
        ModelInferResponse.InferOutputTensor.Builder t = r.addOutputsBuilder().setName(name).setDatatype("UINT32").addShape(1);
        if (typed) {
            t.setContents(InferTensorContents.newBuilder().addUintContents(value));
        } else {
            r.addRawOutputContents(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array()));
        }
    }

    // ---- request checks and decoding, as Triton does them -----------------------------------------

    private ReceivedRequest decode(String rpc, ModelInferRequest request) {
        if (!served.contains(request.getModelName())) {
            throw new IllegalArgumentException("Request for unknown model: '" + request.getModelName() + "' is not found");
        }
        boolean raw = request.getRawInputContentsCount() > 0;
        if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
            throw new IllegalArgumentException("expected " + request.getInputsCount() + " raw_input_contents, got " + request.getRawInputContentsCount());
        }
        Map<String, ReceivedRequest.Input> inputs = new LinkedHashMap<>();
        for (int i = 0; i < request.getInputsCount(); i++) {
            InferInputTensor tensor = request.getInputs(i);
            TensorMetadata spec = inputSpecs.get(tensor.getName());
            if (spec == null) {
                throw new IllegalArgumentException("unexpected inference input '" + tensor.getName() + "' for model '" + model + "'");
            }
            if (!tensor.getDatatype().equals(spec.getDatatype())) {
                throw new IllegalArgumentException("inference input '" + tensor.getName() + "' data-type is '" + tensor.getDatatype()
                        + "', but model '" + model + "' expects '" + spec.getDatatype() + "'");
            }
            checkShape(tensor, spec);
            if (raw && tensor.hasContents()) {
                throw new IllegalArgumentException("contents field must not be specified when using raw_input_contents for '" + tensor.getName() + "'");
            }
            long elements = tensor.getShapeList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
            List<Object> values = raw ? decodeRaw(tensor, request.getRawInputContents(i), elements) : decodeTyped(tensor);
            inputs.put(tensor.getName(), new ReceivedRequest.Input(tensor.getDatatype(), tensor.getShapeList(), values));
        }
        for (String required : convention == Convention.TRTLLM ? List.of("text_input", "max_tokens") : List.of("text_input")) {
            if (!inputs.containsKey(required)) {
                throw new IllegalArgumentException("expected input '" + required + "' for model '" + model + "'");
            }
        }
        List<String> outputs = new ArrayList<>();
        request.getOutputsList().forEach(o -> {
            if (!outputNames.contains(o.getName())) {
                throw new IllegalArgumentException("unexpected inference output '" + o.getName() + "' for model '" + model + "'");
            }
            outputs.add(o.getName());
        });
        Map<String, Boolean> parameters = new LinkedHashMap<>();
        request.getParametersMap().forEach((k, v) -> parameters.put(k, v.getBoolParam()));
        ReceivedRequest received = new ReceivedRequest(rpc, request.getModelName(), request.getId(), Collections.unmodifiableMap(parameters),
                Collections.unmodifiableMap(inputs), List.copyOf(outputs), TRACEPARENT.get());
        if (convention == Convention.VLLM && received.flag("stream") && inputs.containsKey("exclude_input_in_output")
                && !received.flag("exclude_input_in_output")) {
            throw new IllegalArgumentException("When streaming, `exclude_input_in_output` = False is not allowed.");
        }
        return received;
    }

    private void checkShape(InferInputTensor tensor, TensorMetadata spec) {
        boolean fits = tensor.getShapeCount() == spec.getShapeCount();
        for (int d = 0; fits && d < spec.getShapeCount(); d++) {
            long want = spec.getShape(d);
            long got = tensor.getShape(d);
            fits = got >= 0 && (want < 0 || want == got);
        }
        if (!fits) {
            throw new IllegalArgumentException("unexpected shape for input '" + tensor.getName() + "' for model '" + model + "'. Expected "
                    + spec.getShapeList() + ", got " + tensor.getShapeList());
        }
    }

    private static List<Object> decodeRaw(InferInputTensor tensor, ByteString raw, long elements) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<Object> values = new ArrayList<>();
        String type = tensor.getDatatype();
        for (long i = 0; i < elements; i++) {
            switch (type) {
                case "BYTES" -> {
                    int length = b.getInt();
                    byte[] bytes = new byte[length];
                    b.get(bytes);
                    values.add(new String(bytes, StandardCharsets.UTF_8));
                }
                case "BOOL" -> values.add(b.get() != 0);
                case "INT32" -> values.add((long) b.getInt());
                case "UINT32" -> values.add(Integer.toUnsignedLong(b.getInt()));
                case "INT64", "UINT64" -> values.add(b.getLong());
                case "FP32" -> values.add((double) b.getFloat());
                case "FP64" -> values.add(b.getDouble());
                default -> throw new IllegalArgumentException("the fake does not read " + type);
            }
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("unexpected total byte size " + raw.size() + " for input '" + tensor.getName() + "'");
        }
        return values;
    }

    private static List<Object> decodeTyped(InferInputTensor tensor) {
        InferTensorContents c = tensor.getContents();
        List<Object> values = new ArrayList<>();
        c.getBytesContentsList().forEach(b -> values.add(b.toStringUtf8()));
        values.addAll(c.getBoolContentsList());
        c.getIntContentsList().forEach(v -> values.add((long) v));
        values.addAll(c.getInt64ContentsList());
        c.getFp32ContentsList().forEach(v -> values.add((double) v));
        return values;
    }
}
