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
import ai.meridian.domain.chat.TokenUsage;
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
    private final long totalDueNanos;
    private final List<EndpointChannel> tried = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final StreamedText text;
    private volatile ClientCallStreamObserver<ModelInferRequest> current;
    private volatile boolean cancelledByClient;
    private volatile boolean firstTokenTimedOut;
    private volatile boolean totalTimedOut;
    private volatile boolean idleTimedOut;
    private volatile boolean outputStarted;
    private volatile long dueNanos;

    // Read and written only in the serialized gRPC callbacks of the current call.
    private int responses;
    private boolean sawFinalFlag;
    private String finishReason;
    private long inputTokens = -1;
    private long outputTokens;
    private boolean sawOutputTokens;
    private String answeringModel;

    InferenceExchange(TritonModelBackend backend, BackendCall call, BackendStreamListener listener, boolean streaming) {
        this.backend = backend;
        this.config = backend.config();
        this.call = call;
        this.listener = listener;
        this.streaming = streaming;
        this.unary = !streaming && config.completeRpc() == CompleteRpc.UNARY;
        this.prompt = config.chatTemplate().prompt(call.messages(), config.prependBos());
        this.totalDueNanos = System.nanoTime() + config.totalTimeout().toNanos();
        this.text = new StreamedText(config.streamText());
        this.answeringModel = call.upstreamModel();
    }

    void start() {
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
        Integer asked = call.params().maxTokens();
        config.convention().addInputs(new RequestInputs(request, signature), prompt, streaming, call.params(),
                asked == null ? config.defaultMaxTokens() : asked, config.topK());
        for (String output : Convention.requestedOutputs(signature)) {
            request.addOutputsBuilder().setName(output);
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
        } else if (!outputStarted) {
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
                    long out = firstInteger(response, i);
                    if (out >= 0) {
                        outputTokens += out;
                        sawOutputTokens = true;
                    }
                    break;
                default:
                    break;
            }
        }
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

    private void deliver(String piece) {
        if (!piece.isEmpty()) {
            outputStarted = true;
            // Between pieces, the read timeout (within the total).
            long idleDue = System.nanoTime() + config.readTimeout().toNanos();
            dueNanos = idleDue - totalDueNanos < 0 ? idleDue : totalDueNanos;
            listener.onDelta(Delta.of(piece));
        }
    }

    private void complete() {
        deliver(text.finish());
        if (ended.compareAndSet(false, true)) {
            stopWatch();
            Optional<TokenUsage> usage = inputTokens >= 0 && sawOutputTokens
                    ? Optional.of(new TokenUsage((int) inputTokens, (int) outputTokens)) : Optional.empty();
            listener.onComplete(FinishReason.fromWire(finishReason), usage, answeringModel);
        }
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
        fail(GrpcFailures.ofStatus(status, outputStarted, where(endpoint)));
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
}
