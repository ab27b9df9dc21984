package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.Convention.Names;
import ai.meridian.adapter.out.triton.proto.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import ai.meridian.adapter.out.triton.proto.InferParameter;
import ai.meridian.adapter.out.triton.proto.ModelInferRequest;
import ai.meridian.adapter.out.triton.proto.ModelInferResponse;
import ai.meridian.adapter.out.triton.proto.ModelInferResponse.InferOutputTensor;
import ai.meridian.adapter.out.triton.proto.ModelStreamInferResponse;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One call to Triton, from choosing an endpoint to the listener's single end. It sends one request on
 * {@code ModelStreamInfer} (or {@code ModelInfer}), half-closes, and reads responses until the one
 * marked {@code triton_final_response}. A connection refused moves the call to the next endpoint that
 * is up; nothing else is retried here, that is the fallback plan's business.
 *
 * <p>Listener calls come from gRPC callbacks, which gRPC serializes per call; the deadline watch
 * and the client's cancel never call the listener while a gRPC call is open, they cancel that call.
 */
final class InferenceExchange implements Cancellable, DeadlineWatch.Watched {
    static final String ENABLE_EMPTY_FINAL = "triton_enable_empty_final_response";
    static final String FINAL_RESPONSE = "triton_final_response";
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static final InferParameter TRUE = InferParameter.newBuilder().setBoolParam(true).build();

    private final TritonModelBackend backend;
    private final TritonBackendConfig config;
    private final BackendCall call;
    private final BackendStreamListener listener;
    private final boolean streaming;
    private final boolean unary;
    private final String prompt;
    private final SamplingControls controls;
    /** Why the request cannot be sent to this model (a control it cannot take, a tool_choice it cannot honour), or null. */
    private final String refusal;
    private final AnswerOutput output;
    private final long totalDueNanos;
    private final List<EndpointChannel> tried = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final StreamedText text;
    private volatile ClientCallStreamObserver<ModelInferRequest> current;
    private volatile boolean cancelledByClient;
    private volatile boolean firstTokenTimedOut;
    private volatile boolean totalTimedOut;
    private volatile boolean idleTimedOut;
    /** The model has written its first text (the first-token deadline no longer applies). */
    private volatile boolean modelStarted;
    /** Something reached the listener: a failure now cuts the answer rather than leaving it untouched. */
    private volatile boolean outputStarted;
    private volatile long dueNanos;

    // Read and written only in the serialized gRPC callbacks of the current call.
    private int responses;
    private boolean sawFinalFlag;
    private String finishReason;
    private long inputTokens = -1;
    private long outputTokens;
    private boolean sawOutputTokens;
    /** Which output counts the answer's tokens: num_output_tokens, output_ids or sequence_length (null: none). */
    private String tokenCount;
    private String answeringModel;

    InferenceExchange(TritonModelBackend backend, BackendCall call, BackendStreamListener listener, boolean streaming) {
        this.backend = backend;
        this.config = backend.config();
        this.call = call;
        this.listener = listener;
        this.streaming = streaming;
        this.unary = !streaming && config.completeRpc() == CompleteRpc.UNARY;
        ModelOptions options = config.options(call.upstreamModel());
        ToolSpec tools = call.tools();
        boolean callsTools = options.toolCalling() == ToolCalling.HERMES && tools.offered() && !call.textCompletion();
        String built = null;
        SamplingControls sampling = null;
        String problem = null;
        try {
            refuseWhatNoTritonModelDoes(call.params(), tools, options);
            Integer asked = call.params().maxTokens();
            sampling = SamplingControls.of(call.params(), asked == null ? config.defaultMaxTokens() : asked, config.topK(),
                    options.structuredOutput());
            if (call.textCompletion()) {
                // A raw prompt (the Completions API): sent as it is, no chat template.
                List<String> prompts = call.prompts();
                if (prompts.size() != 1) {
                    throw new IllegalArgumentException("Triton models answer one prompt per request ('prompt' must be one string)");
                }
                built = prompts.get(0);
            } else {
                built = options.toolCalling() == ToolCalling.HERMES
                        ? HermesPrompt.render(call.messages(), tools)
                        : options.chatTemplate().prompt(call.messages(), config.prependBos());
            }
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
        }
        this.prompt = built;
        this.controls = sampling;
        this.refusal = problem;
        boolean legacy = tools.legacy();
        this.output = callsTools && problem == null
                ? new ToolCallOutput(HermesPrompt.prefill(tools), legacy, legacy || tools.parallelToolCalls().equals(Optional.of(false)))
                : new PlainOutput();
        this.totalDueNanos = System.nanoTime() + config.totalTimeout().toNanos();
        this.text = new StreamedText(config.streamText());
        this.answeringModel = call.upstreamModel();
    }

    /** What the request asks that no Triton model here does, checked again at the call (routing normally keeps such requests away). */
    private void refuseWhatNoTritonModelDoes(GenerationParams params, ToolSpec tools, ModelOptions options) {
        if (params.choices() > 1) {
            throw new IllegalArgumentException("Triton models answer one choice per request ('n' must be 1)");
        }
        if (Boolean.TRUE.equals(params.logprobs())) {
            throw new IllegalArgumentException("Triton models do not return log probabilities ('logprobs')");
        }
        if (tools.offered() && options.toolCalling() == ToolCalling.NONE) {
            throw new IllegalArgumentException("Triton model '" + call.upstreamModel() + "' cannot call tools ('tools'): its chat template has "
                    + "no tool calling (tool-calling: none)");
        }
    }

    void start() {
        if (refusal != null) {
            fail(Failure.of(FailureKind.CLIENT_ERROR, "backend " + config.id() + " (Triton model " + call.upstreamModel() + "): " + refusal));
            return;
        }
        long firstTokenDue = System.nanoTime() + config.firstTokenTimeout().toNanos();
        // Whole answers too: a hung server costs one first-token wait, not the total timeout.
        dueNanos = firstTokenDue - totalDueNanos < 0 ? firstTokenDue : totalDueNanos;
        backend.deadlineWatch().watch(this);
        attempt(backend.endpoints().next(tried, false));
    }

    private void attempt(EndpointChannel endpoint) {
        tried.add(endpoint);
        backend.signature(call.upstreamModel(), endpoint).whenComplete((signature, error) -> {
            if (error == null) {
                send(endpoint, signature);
            } else {
                notSent(endpoint, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            }
        });
    }

    /** The model's metadata could not be had from this endpoint: metadata is idempotent, so another may answer. */
    private void notSent(EndpointChannel endpoint, Throwable error) {
        Failure failure;
        if (error instanceof BackendFailureException e) {
            failure = e.failure();
        } else if (error instanceof IllegalArgumentException) {
            failure = Failure.of(FailureKind.BACKEND_REJECTED, error.getMessage());
        } else {
            failure = Failure.of(FailureKind.PROTOCOL_ERROR, where(endpoint) + ": " + error);
        }
        FailureKind kind = failure.kind();
        if (kind == FailureKind.CONNECT || kind == FailureKind.TIMEOUT || kind == FailureKind.SERVER_ERROR) {
            EndpointChannel next = backend.endpoints().next(tried, true);
            if (next != null && !timedOut() && !ended.get()) {
                attempt(next);
                return;
            }
        }
        fail(timedOut() ? timeoutFailure() : failure);
    }

    private void send(EndpointChannel endpoint, ModelSignature signature) {
        if (ended.get()) {
            return;
        }
        ModelInferRequest request;
        try {
            request = request(signature);
        } catch (IllegalArgumentException e) {
            fail(Failure.of(FailureKind.CLIENT_ERROR, where(endpoint) + ": " + e.getMessage()));
            return;
        }
        endpoint.prepareForCall();
        // No gRPC deadline: the watch cancels late calls (a gRPC deadline schedules a timer on some
        // event loop per call, which cost more than the rest of the adapter on a busy machine).
        GRPCInferenceServiceStub stub = endpoint.stub();
        if (call.traceparent() != null) {
            Metadata headers = new Metadata();
            headers.put(TRACEPARENT, call.traceparent());
            stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        if (unary) {
            stub.modelInfer(request, new UnaryResponses(endpoint));
        } else {
            StreamObserver<ModelInferRequest> requests = stub.modelStreamInfer(new StreamResponses(endpoint));
            requests.onNext(request);
            requests.onCompleted();
        }
        // A cancel or timeout that came while the call was starting did not see it: act on it now.
        if (cancelledByClient) {
            cancelCurrent("cancelled by the client");
        } else if (timedOut()) {
            cancelCurrent("deadline passed");
        }
    }

    private ModelInferRequest request(ModelSignature signature) {
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder()
                .setModelName(call.upstreamModel())
                .setModelVersion(config.modelVersion())
                .setId(call.requestId());
        if (!unary) {
            request.putParameters(ENABLE_EMPTY_FINAL, TRUE);
        }
        config.convention().addInputs(new RequestInputs(request, signature), prompt, streaming, controls);
        for (String name : Convention.requestedOutputs(signature)) {
            request.addOutputsBuilder().setName(name);
            if (name.equals(Names.OUTPUT_TOKENS) || name.equals(Names.OUTPUT_IDS) || name.equals(Names.SEQUENCE_LENGTH)) {
                tokenCount = name;
            }
        }
        return request.build();
    }

    @Override
    public void cancel() {
        cancelledByClient = true;
        if (ended.compareAndSet(false, true)) {
            stopWatch();
            cancelCurrent("cancelled by the client");
        }
    }

    @Override
    public long dueNanos() {
        return dueNanos;
    }

    @Override
    public void deadlinePassed(long nowNanos) {
        if (ended.get()) {
            stopWatch();
            return;
        }
        if (timedOut()) {
            return; // already acted on: the cancelled call's end reports the timeout
        }
        if (nowNanos - totalDueNanos >= 0) {
            totalTimedOut = true;
        } else if (!modelStarted) {
            firstTokenTimedOut = true;
        } else {
            idleTimedOut = true;
        }
        if (current != null) {
            cancelCurrent("deadline passed"); // its onError reports the timeout
        } else {
            fail(timeoutFailure()); // still waiting for metadata: no call to cancel
        }
    }

    private boolean timedOut() {
        return firstTokenTimedOut || totalTimedOut || idleTimedOut;
    }

    private Failure timeoutFailure() {
        if (firstTokenTimedOut) {
            return Failure.of(FailureKind.TIMEOUT, "backend " + config.id() + ": no first token from Triton within "
                    + config.firstTokenTimeout().toMillis() + " ms");
        }
        if (idleTimedOut) {
            return Failure.of(FailureKind.TIMEOUT, "backend " + config.id() + ": nothing more from Triton for "
                    + config.readTimeout().toMillis() + " ms (read timeout)");
        }
        return Failure.of(FailureKind.TIMEOUT, "backend " + config.id() + ": Triton did not finish the answer within "
                + config.totalTimeout().toMillis() + " ms");
    }

    private void cancelCurrent(String why) {
        ClientCallStreamObserver<ModelInferRequest> open = current;
        if (open != null) {
            open.cancel(why, null);
        }
    }

    private void onResponse(EndpointChannel endpoint, ModelInferResponse response, boolean isFinal) {
        if (ended.get()) {
            return;
        }
        if (responses++ == 0) {
            endpoint.markUp();
        }
        try {
            absorb(response);
        } catch (TritonProtocolException e) {
            cancelCurrent("unreadable response");
            fail(Failure.of(FailureKind.PROTOCOL_ERROR, where(endpoint) + " answered an unreadable response: " + e.getMessage()));
            return;
        }
        if (isFinal) {
            complete();
        } else if (output.done()) {
            // A single-call answer has its call: the rest of the generation is not wanted.
            complete();
            cancelCurrent("the answer is complete");
        }
    }

    private void absorb(ModelInferResponse response) {
        if (!response.getModelName().isEmpty()) {
            answeringModel = response.getModelName();
        }
        List<InferOutputTensor> outputs = response.getOutputsList();
        for (int i = 0; i < outputs.size(); i++) {
            InferOutputTensor output = outputs.get(i);
            switch (output.getName()) {
                case Names.TEXT_OUTPUT:
                    firstBytes(response, i).ifPresent(element -> deliver(text.next(element)));
                    break;
                case Names.FINISH_REASON:
                    // The vLLM backend sends "None" on every response before the last.
                    firstBytes(response, i).map(ByteString::toStringUtf8)
                            .filter(reason -> !reason.isEmpty() && !reason.equals("None"))
                            .ifPresent(reason -> finishReason = reason);
                    break;
                case Names.INPUT_TOKENS:
                    long in = firstInteger(response, i);
                    if (in >= 0) {
                        inputTokens = in;
                    }
                    break;
                case Names.OUTPUT_TOKENS:
                    // Counted per response when streaming (each says how many it adds), once otherwise.
                    if (Names.OUTPUT_TOKENS.equals(tokenCount)) {
                        countTokens(firstInteger(response, i));
                    }
                    break;
                case Names.OUTPUT_IDS:
                    // Each streamed response carries the ids of its new tokens; a whole answer carries all of them.
                    if (Names.OUTPUT_IDS.equals(tokenCount)) {
                        countTokens(countIntegers(response, i));
                    }
                    break;
                case Names.SEQUENCE_LENGTH:
                    // The length of the answer's token sequence: read for whole answers only (one response).
                    if (Names.SEQUENCE_LENGTH.equals(tokenCount) && !streaming) {
                        countTokens(firstInteger(response, i));
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private void countTokens(long count) {
        if (count >= 0) {
            outputTokens += count;
            sawOutputTokens = true;
        }
    }

    private static long countIntegers(ModelInferResponse response, int index) {
        InferOutputTensor output = response.getOutputs(index);
        if (response.getRawOutputContentsCount() > 0) {
            return TensorCodec.countIntegers(output.getDatatype(), raw(response, index));
        }
        return TensorCodec.countIntegers(output.getContents());
    }

    private static Optional<ByteString> firstBytes(ModelInferResponse response, int index) {
        if (response.getRawOutputContentsCount() > 0) {
            List<ByteString> elements = TensorCodec.decodeBytes(raw(response, index));
            return elements.isEmpty() ? Optional.empty() : Optional.of(elements.get(0));
        }
        InferOutputTensor output = response.getOutputs(index);
        return output.getContents().getBytesContentsCount() == 0 ? Optional.empty() : Optional.of(output.getContents().getBytesContents(0));
    }

    private static long firstInteger(ModelInferResponse response, int index) {
        InferOutputTensor output = response.getOutputs(index);
        if (response.getRawOutputContentsCount() > 0) {
            return TensorCodec.decodeFirstInteger(output.getDatatype(), raw(response, index));
        }
        return TensorCodec.decodeFirstInteger(output.getContents());
    }

    private static ByteString raw(ModelInferResponse response, int index) {
        if (index >= response.getRawOutputContentsCount()) {
            throw new TritonProtocolException("output " + response.getOutputs(index).getName() + " has no raw contents");
        }
        return response.getRawOutputContents(index);
    }

    /** New text from the model. */
    private void deliver(String piece) {
        if (!piece.isEmpty()) {
            modelStarted = true;
            // Between pieces, the read timeout (within the total).
            long idleDue = System.nanoTime() + config.readTimeout().toNanos();
            dueNanos = idleDue - totalDueNanos < 0 ? idleDue : totalDueNanos;
            output.text(piece);
        }
    }

    /** A piece of the answer for the listener. */
    private void emit(Delta delta) {
        outputStarted = true;
        listener.onDelta(delta);
    }

    private void complete() {
        deliver(text.finish());
        output.end();
        if (ended.compareAndSet(false, true)) {
            stopWatch();
            Optional<TokenUsage> usage = inputTokens >= 0 && sawOutputTokens
                    ? Optional.of(new TokenUsage((int) inputTokens, (int) outputTokens)) : Optional.empty();
            listener.onComplete(finishReason(), usage, answeringModel);
        }
    }

    /**
     * The model's own reason when it gives one (vLLM); else {@code length} when the answer used all the tokens it
     * was allowed (counted from the model's outputs), else {@code stop}. An answer that called tools and stopped
     * by itself ends with {@code tool_calls} ({@code function_call} for the legacy form), as OpenAI's do.
     */
    private FinishReason finishReason() {
        FinishReason reason = FinishReason.fromWire(finishReason);
        if (finishReason == null && sawOutputTokens && outputTokens >= controls.maxTokens()) {
            reason = FinishReason.LENGTH;
        }
        if (output.calledTools() && FinishReason.STOP.equals(reason)) {
            reason = call.tools().legacy() ? FinishReason.FUNCTION_CALL : FinishReason.TOOL_CALLS;
        }
        return reason;
    }

    private void fail(Failure failure) {
        if (ended.compareAndSet(false, true)) {
            stopWatch();
            listener.onError(failure);
        }
    }

    private void onCallError(EndpointChannel endpoint, Throwable error) {
        if (ended.get()) {
            return;
        }
        Status status = Status.fromThrowable(error);
        if (timedOut()) {
            fail(timeoutFailure());
            return;
        }
        if (status.getCode() == Status.Code.UNAVAILABLE && !outputStarted) {
            endpoint.markDown(status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()));
        }
        if (responses == 0 && GrpcFailures.neverReachedTheServer(status)) {
            EndpointChannel next = backend.endpoints().next(tried, true);
            if (next != null && System.nanoTime() - totalDueNanos < 0) {
                attempt(next);
                return;
            }
        }
        fail(GrpcFailures.ofStatus(status, outputStarted || modelStarted, where(endpoint)));
    }

    private void onCallEnd(EndpointChannel endpoint) {
        if (ended.get()) {
            return;
        }
        if (unary) {
            fail(Failure.of(FailureKind.PROTOCOL_ERROR, where(endpoint) + " closed ModelInfer without a response"));
        } else if (responses > 0 && !sawFinalFlag) {
            // A server that does not mark final responses: we half-closed after our one request, so the
            // stream's orderly end is the answer's end.
            complete();
        } else {
            fail(Failure.of(FailureKind.STREAM_CUT, where(endpoint) + " closed the stream before the final response"));
        }
    }

    private void stopWatch() {
        backend.deadlineWatch().unwatch(this);
    }

    private String where(EndpointChannel endpoint) {
        return "backend " + config.id() + " (Triton " + endpoint + ", model " + call.upstreamModel() + ")";
    }

    private static boolean isFinal(ModelInferResponse response) {
        InferParameter flag = response.getParametersMap().get(FINAL_RESPONSE);
        return flag != null && flag.getBoolParam();
    }

    /** Responses of {@code ModelStreamInfer}: one request's responses, or its {@code error_message}. */
    private final class StreamResponses implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {
        private final EndpointChannel endpoint;

        StreamResponses(EndpointChannel endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
            current = requestStream;
        }

        @Override
        public void onNext(ModelStreamInferResponse response) {
            if (!response.getErrorMessage().isEmpty()) {
                if (!ended.get()) {
                    responses++;
                    cancelCurrent("the request failed");
                    fail(GrpcFailures.ofStreamError(response.getErrorMessage(), where(endpoint)));
                }
                return;
            }
            ModelInferResponse inner = response.getInferResponse();
            if (inner.containsParameters(FINAL_RESPONSE)) {
                sawFinalFlag = true;
            }
            onResponse(endpoint, inner, isFinal(inner));
        }

        @Override
        public void onError(Throwable error) {
            onCallError(endpoint, error);
        }

        @Override
        public void onCompleted() {
            onCallEnd(endpoint);
        }
    }

    /** The one response of {@code ModelInfer}. */
    private final class UnaryResponses implements ClientResponseObserver<ModelInferRequest, ModelInferResponse> {
        private final EndpointChannel endpoint;

        UnaryResponses(EndpointChannel endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
            current = requestStream;
        }

        @Override
        public void onNext(ModelInferResponse response) {
            onResponse(endpoint, response, true);
        }

        @Override
        public void onError(Throwable error) {
            onCallError(endpoint, error);
        }

        @Override
        public void onCompleted() {
            onCallEnd(endpoint);
        }
    }

    /** Turns the model's text into the answer's deltas. */
    private interface AnswerOutput {
        void text(String piece);

        /** The model's output ended: whatever was held back is decided. */
        void end();

        boolean calledTools();

        /** The answer is whole before the model finished (a single call was made). */
        boolean done();
    }

    /** Text is answer text, passed on as it comes. */
    private final class PlainOutput implements AnswerOutput {
        @Override
        public void text(String piece) {
            emit(Delta.of(piece));
        }

        @Override
        public void end() {
            // nothing held back
        }

        @Override
        public boolean calledTools() {
            return false;
        }

        @Override
        public boolean done() {
            return false;
        }
    }

    /** Text read by the Hermes parser: answer text and tool calls, as OpenAI streams them. */
    private final class ToolCallOutput implements AnswerOutput, HermesCallParser.Sink {
        private final HermesCallParser parser;
        private final boolean legacy;
        /** The call's beginning written into the prompt for tool_choice; read before the model's first text. */
        private String prefill;

        ToolCallOutput(String prefill, boolean legacy, boolean singleCall) {
            this.parser = new HermesCallParser(this, CallIds::next, singleCall);
            this.legacy = legacy;
            this.prefill = prefill.isEmpty() ? null : prefill;
        }

        @Override
        public void text(String piece) {
            if (prefill != null) {
                piece = prefill + piece;
                prefill = null;
            }
            parser.feed(piece);
        }

        @Override
        public void end() {
            if (prefill != null) {
                parser.feed(prefill);
                prefill = null;
            }
            parser.finish();
        }

        @Override
        public boolean calledTools() {
            return parser.calls() > 0;
        }

        @Override
        public boolean done() {
            return parser.done();
        }

        @Override
        public void answer(String answerText) {
            emit(Delta.of(answerText));
        }

        @Override
        public void open(int index, String id, String name) {
            if (legacy) {
                emit(functionCall(new ToolCallDelta(0, null, null, name, "")));
            } else {
                emit(Delta.toolCalls(0, List.of(ToolCallDelta.start(index, id, name))));
            }
        }

        @Override
        public void arguments(int index, String piece) {
            if (legacy) {
                emit(functionCall(ToolCallDelta.arguments(0, piece)));
            } else {
                emit(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(index, piece))));
            }
        }

        private Delta functionCall(ToolCallDelta fragment) {
            return new Delta(0, "", "", List.of(), fragment, null, null, null, Map.of(), Map.of(), Map.of());
        }
    }
}
