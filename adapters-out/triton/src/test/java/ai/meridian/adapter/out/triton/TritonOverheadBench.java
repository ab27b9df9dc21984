package ai.meridian.adapter.out.triton;

import ai.meridian.adapter.out.triton.proto.GRPCInferenceServiceGrpc;
import ai.meridian.adapter.out.triton.proto.InferParameter;
import ai.meridian.adapter.out.triton.proto.ModelInferRequest;
import ai.meridian.adapter.out.triton.proto.ModelMetadataRequest;
import ai.meridian.adapter.out.triton.proto.ModelStreamInferResponse;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the adapter adds to a streamed Triton call: the same answer taken once through a bare gRPC stub
 * with a request built in advance ("direct") and once through {@link TritonModelBackend#stream} (template,
 * request building, response decoding, listener calls). One call at a time on one connection, blocks of
 * the two interleaved so drift hits both alike. Not a test: a tool.
 * {@code TritonOverheadBench [calls, default 20000] [trtllm|vllm, default trtllm] [host:port, default an in-process fake]}
 */
public final class TritonOverheadBench {
    private static final int BLOCK = 1000;

    private TritonOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        Convention convention = Convention.named(args.length > 1 ? args[1] : "trtllm");
        FakeTritonServer fake = args.length > 2 ? null : FakeTritonServer.start(convention);
        String endpoint = fake == null ? args[2] : fake.endpoint();
        String model = fake == null ? (convention == Convention.VLLM ? "vllm_model" : "ensemble") : fake.model();
        TritonBackendFactory factory = new TritonBackendFactory();
        ModelBackend backend = factory.create(TritonTestSupport.settings("bench", endpoint, convention, model,
                Map.of("first-token-timeout", "10s", "total-timeout", "30s")));
        TritonEndpoint address = TritonEndpoint.parse(endpoint);
        ManagedChannel channel = NettyChannelBuilder.forAddress(address.host(), address.port()).usePlaintext().directExecutor().build();
        var stub = GRPCInferenceServiceGrpc.newStub(channel);
        BackendCall call = new BackendCall("bench", model, List.of(ChatMessage.system("Be brief."), ChatMessage.user("Say hello")),
                GenerationParams.DEFAULTS.withMaxTokens(64), null);
        ModelInferRequest prebuilt = prebuilt(channel, model, convention, call);

        long[] direct = new long[calls];
        long[] adapter = new long[calls];
        for (int i = 0; i < 2 * BLOCK; i++) {
            direct(stub, prebuilt);
            viaAdapter(backend, call);
        }
        for (int done = 0; done < calls; done += BLOCK) {
            for (int i = done; i < Math.min(calls, done + BLOCK); i++) {
                direct[i] = direct(stub, prebuilt);
            }
            for (int i = done; i < Math.min(calls, done + BLOCK); i++) {
                adapter[i] = viaAdapter(backend, call);
            }
        }
        report("direct gRPC stub", direct);
        report("TritonModelBackend", adapter);
        Arrays.sort(direct);
        Arrays.sort(adapter);
        System.out.printf("adapter overhead: p50 %+.1f us, p99 %+.1f us%n",
                (adapter[calls / 2] - direct[calls / 2]) / 1e3, (adapter[calls * 99 / 100] - direct[calls * 99 / 100]) / 1e3);
        channel.shutdownNow();
        backend.close();
        factory.close();
        if (fake != null) {
            fake.close();
        }
    }

    /** The request the adapter would send, built once from the model's metadata. */
    private static ModelInferRequest prebuilt(ManagedChannel channel, String model, Convention convention, BackendCall call) {
        var metadata = GRPCInferenceServiceGrpc.newBlockingStub(channel).modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model).setId("bench")
                .putParameters(InferenceExchange.ENABLE_EMPTY_FINAL, InferParameter.newBuilder().setBoolParam(true).build());
        ModelSignature signature = ModelSignature.of(model, metadata);
        convention.addInputs(new RequestInputs(request, signature), ChatTemplate.CHATML.prompt(call.messages(), false), true,
                SamplingControls.of(call.params(), 64, null, StructuredOutput.NONE));
        Convention.requestedOutputs(signature).forEach(name -> request.addOutputsBuilder().setName(name));
        return request.build();
    }

    private static long direct(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, ModelInferRequest request) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        StreamObserver<ModelInferRequest> requests = stub.modelStreamInfer(new StreamObserver<>() {
            @Override
            public void onNext(ModelStreamInferResponse response) {
                InferParameter isFinal = response.getInferResponse().getParametersMap().get(InferenceExchange.FINAL_RESPONSE);
                if (isFinal != null && isFinal.getBoolParam()) {
                    done.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
                throw new IllegalStateException("direct call failed", t);
            }

            @Override
            public void onCompleted() {
                // the final response counted
            }
        });
        requests.onNext(request);
        requests.onCompleted();
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("direct call did not finish");
        }
        return System.nanoTime() - start;
    }

    private static long viaAdapter(ModelBackend backend, BackendCall call) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        backend.stream(call, new BackendStreamListener() {
            @Override
            public void onDelta(Delta delta) {
                // counted at the end
            }

            @Override
            public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
                done.countDown();
            }

            @Override
            public void onError(Failure failure) {
                throw new IllegalStateException(failure.message());
            }
        });
        if (!done.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("adapter call did not finish");
        }
        return System.nanoTime() - start;
    }

    private static void report(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double seconds = Arrays.stream(nanos).sum() / 1e9;
        System.out.printf("%-20s calls %d  p50 %.1f us  p90 %.1f us  p99 %.1f us  max %.1f us  %.0f calls/s sequential%n", what, sorted.length,
                sorted[sorted.length / 2] / 1e3, sorted[sorted.length * 9 / 10] / 1e3, sorted[sorted.length * 99 / 100] / 1e3,
                sorted[sorted.length - 1] / 1e3, sorted.length / seconds);
    }
}
