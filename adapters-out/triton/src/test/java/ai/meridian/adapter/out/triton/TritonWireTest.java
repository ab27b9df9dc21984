package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TritonTestSupport.TRACEPARENT;
import static ai.meridian.adapter.out.triton.TritonTestSupport.call;
import static ai.meridian.testkit.ModelBackendContract.awaitTrue;
import static ai.meridian.testkit.ModelBackendContract.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.ModelBackendContract.Recorder;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the adapter puts on the wire for each convention, and how it reads what comes back. */
class TritonWireTest {
    private static final String CHATML_PROMPT = "<|im_start|>system\nBe brief.<|im_end|>\n"
            + "<|im_start|>user\nWie geht's? 你好<|im_end|>\n<|im_start|>assistant\n";
    private static final GenerationParams ALL_CONTROLS =
            new GenerationParams(0.2, 0.9, 64, List.of("</s>", "\n\nUser:"), 7L, "user-1", null, 0.5, -0.5);

    private final TritonBackendFactory factory = new TritonBackendFactory();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        factory.close();
    }

    private FakeTritonServer triton(Convention convention) {
        FakeTritonServer server = FakeTritonServer.start(convention);
        open.add(server);
        return server;
    }

    private ModelBackend backend(FakeTritonServer triton, Convention convention, Map<String, String> extra) {
        return backend(triton.endpoint(), triton.model(), convention, extra);
    }

    private ModelBackend backend(String endpoints, String model, Convention convention, Map<String, String> extra) {
        ModelBackend backend = factory.create(TritonTestSupport.settings("wire", endpoints, convention, model, extra));
        open.add(backend);
        return backend;
    }

    private static Recorder stream(ModelBackend backend, String model, GenerationParams params) throws InterruptedException {
        Recorder recorder = new Recorder();
        backend.stream(call(model, params), recorder);
        recorder.awaitEnd();
        return recorder;
    }

    private static Completion complete(ModelBackend backend, String model, GenerationParams params) throws Exception {
        return backend.complete(call(model, params)).get(5, TimeUnit.SECONDS);
    }

    @Test
    void trtllmTakesEachControlAsATensorShapedForTheBatchingEnsemble() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of("top-k", "40"));
        Recorder recorder = stream(backend, triton.model(), ALL_CONTROLS);

        assertThat(recorder.text()).isEqualTo("Hello from a fake Triton.");
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
        assertThat(recorder.usages).as("the ensemble reports no token counts: the core counts them").containsExactly(Optional.empty());
        ReceivedRequest r = triton.requests().get(0);
        assertThat(r.rpc()).isEqualTo("ModelStreamInfer");
        assertThat(r.id()).isEqualTo("req-1");
        assertThat(r.traceparent()).isEqualTo(TRACEPARENT);
        assertThat(r.boolParameters()).containsExactly(Map.entry("triton_enable_empty_final_response", true));
        assertThat(r.requestedOutputs()).containsExactly("text_output");
        assertThat(r.inputs()).containsOnlyKeys("text_input", "stream", "max_tokens", "temperature", "top_p", "top_k",
                "stop_words", "random_seed", "presence_penalty", "frequency_penalty");
        assertThat(r.text("text_input")).isEqualTo(CHATML_PROMPT);
        assertThat(r.inputs().get("text_input").shape()).containsExactly(1L, 1L);
        assertThat(r.inputs().get("max_tokens")).isEqualTo(new ReceivedRequest.Input("INT32", List.of(1L, 1L), List.of(64L)));
        assertThat(r.inputs().get("top_k")).isEqualTo(new ReceivedRequest.Input("INT32", List.of(1L, 1L), List.of(40L)));
        assertThat(r.inputs().get("random_seed")).isEqualTo(new ReceivedRequest.Input("UINT64", List.of(1L, 1L), List.of(7L)));
        assertThat(r.inputs().get("stream")).isEqualTo(new ReceivedRequest.Input("BOOL", List.of(1L, 1L), List.of(true)));
        assertThat(r.inputs().get("stop_words")).isEqualTo(new ReceivedRequest.Input("BYTES", List.of(1L, 2L), List.of("</s>", "\n\nUser:")));
        assertThat(r.inputs().get("temperature").datatype()).isEqualTo("FP32");
        assertThat((Double) r.single("temperature")).isCloseTo(0.2, within(1e-6));
        assertThat((Double) r.single("top_p")).isCloseTo(0.9, within(1e-6));
        assertThat((Double) r.single("presence_penalty")).isEqualTo(0.5);
        assertThat((Double) r.single("frequency_penalty")).isEqualTo(-0.5);
    }

    @Test
    void aTextCompletionSendsTheRawPromptWithoutTheChatTemplate() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        ai.meridian.application.port.out.BackendCall text = new ai.meridian.application.port.out.BackendCall("req-t", triton.model(),
                List.of(ai.meridian.domain.chat.ChatMessage.system("[1] Source."), ai.meridian.domain.chat.ChatMessage.user("def fib(n):")),
                GenerationParams.DEFAULTS, null, List.of(), null, java.util.Map.of(), true);
        Completion completion = backend.complete(text).get(5, TimeUnit.SECONDS);
        assertThat(completion.content()).isEqualTo("Hello from a fake Triton.");
        assertThat(triton.requests().get(0).text("text_input")).isEqualTo("[1] Source.\n\ndef fib(n):");
        assertThat(backend.capabilities(triton.model()).supported()).contains(ai.meridian.domain.routing.Capability.TEXT_COMPLETION);

        ai.meridian.application.port.out.BackendCall two = new ai.meridian.application.port.out.BackendCall("req-t2", triton.model(),
                List.of(ai.meridian.domain.chat.ChatMessage.user("a"), ai.meridian.domain.chat.ChatMessage.user("b")),
                GenerationParams.DEFAULTS, null, List.of(), null, java.util.Map.of(), true);
        Recorder recorder = new Recorder();
        backend.stream(two, recorder);
        recorder.awaitEnd();
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
            assertThat(f.message()).contains("one prompt per request");
        });
    }

    @Test
    void trtllmWholeAnswerDoesNotStreamAndIsBoundedByTheDefaultMaxTokens() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        Completion completion = complete(backend, triton.model(), GenerationParams.DEFAULTS);

        assertThat(completion.content()).isEqualTo("Hello from a fake Triton.");
        assertThat(completion.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(completion.upstreamModel()).isEqualTo("ensemble");
        ReceivedRequest r = triton.requests().get(0);
        assertThat(r.inputs()).containsOnlyKeys("text_input", "stream", "max_tokens");
        assertThat(r.single("max_tokens")).isEqualTo((long) TritonBackendConfig.DEFAULT_MAX_TOKENS);
        assertThat(r.flag("stream")).isFalse();
    }

    @Test
    void vllmTakesSamplingParametersAsJsonAndAsksForItsExtraOutputs() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("top-k", "20"));
        stream(backend, triton.model(), ALL_CONTROLS);

        ReceivedRequest r = triton.requests().get(0);
        assertThat(r.samplingParameters()).containsExactly(
                Map.entry("max_tokens", 64L), Map.entry("temperature", 0.2), Map.entry("top_p", 0.9), Map.entry("top_k", 20L),
                Map.entry("stop", List.of("</s>", "\n\nUser:")), Map.entry("seed", 7L),
                Map.entry("presence_penalty", 0.5), Map.entry("frequency_penalty", -0.5));
        assertThat(r.inputs()).containsOnlyKeys("text_input", "stream", "sampling_parameters", "exclude_input_in_output",
                "return_finish_reason", "return_num_input_tokens", "return_num_output_tokens");
        assertThat(r.inputs().get("text_input")).isEqualTo(new ReceivedRequest.Input("BYTES", List.of(1L), List.of(CHATML_PROMPT)));
        assertThat(r.inputs().get("exclude_input_in_output")).isEqualTo(new ReceivedRequest.Input("BOOL", List.of(1L), List.of(true)));
        assertThat(r.flag("stream")).isTrue();
        assertThat(r.flag("return_finish_reason")).isTrue();
        assertThat(r.flag("return_num_input_tokens")).isTrue();
        assertThat(r.flag("return_num_output_tokens")).isTrue();
        assertThat(r.requestedOutputs()).containsExactly("text_output", "finish_reason", "num_input_tokens", "num_output_tokens");
    }

    @Test
    void vllmTokenCountsBecomeTheUsage() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("你", "好", "!"), TritonBehavior.answer("你", "好", "!"));

        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);
        Completion completion = complete(backend, triton.model(), GenerationParams.DEFAULTS);

        int promptWords = triton.requests().get(0).text("text_input").split("\\s+").length;
        TokenUsage expected = new TokenUsage(promptWords, 3);
        assertThat(recorder.text()).isEqualTo("你好!");
        assertThat(recorder.usages).containsExactly(Optional.of(expected));
        assertThat(completion.content()).isEqualTo("你好!");
        assertThat(completion.usage()).contains(expected);
        assertThat(triton.requests().get(1).samplingParameters()).containsExactly(Map.entry("max_tokens", (long) TritonBackendConfig.DEFAULT_MAX_TOKENS));
    }

    @Test
    void anAnswerCutShortByMaxTokensFinishesWithLength() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        GenerationParams twoTokens = GenerationParams.DEFAULTS.withMaxTokens(2);
        triton.enqueue(TritonBehavior.answer("a", "b", "c", "d"), TritonBehavior.answer("a", "b", "c", "d"));

        Recorder recorder = stream(backend, triton.model(), twoTokens);
        Completion completion = complete(backend, triton.model(), twoTokens);

        assertThat(recorder.text()).isEqualTo("ab");
        assertThat(recorder.completions).containsExactly(FinishReason.LENGTH);
        assertThat(completion.content()).isEqualTo("ab");
        assertThat(completion.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void outputsInTypedContentsAreReadLikeRawOnes() throws Exception {
        FakeTritonServer vllm = triton(Convention.VLLM);
        ModelBackend vllmBackend = backend(vllm, Convention.VLLM, Map.of());
        vllm.enqueue(TritonBehavior.answer("typed", " 内容").inTypedContents(), TritonBehavior.answer("whole").inTypedContents());
        Recorder recorder = stream(vllmBackend, vllm.model(), GenerationParams.DEFAULTS);
        assertThat(recorder.text()).isEqualTo("typed 内容");
        assertThat(recorder.usages.get(0)).map(TokenUsage::completionTokens).contains(2);
        assertThat(complete(vllmBackend, vllm.model(), GenerationParams.DEFAULTS).content()).isEqualTo("whole");

        FakeTritonServer trtllm = triton(Convention.TRTLLM);
        trtllm.enqueue(TritonBehavior.answer("en", "semble").inTypedContents());
        assertThat(stream(backend(trtllm, Convention.TRTLLM, Map.of()), trtllm.model(), GenerationParams.DEFAULTS).text()).isEqualTo("ensemble");
    }

    @Test
    void cumulativeResponsesAreTurnedIntoDeltas() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("stream-text", "cumulative"));
        triton.enqueue(TritonBehavior.answer("Hel", "lo", " 世界").cumulativeText());
        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);
        assertThat(recorder.deltas).extracting(Delta::content).containsExactly("Hel", "lo", " 世界");
    }

    @Test
    void unaryWholeAnswersUseModelInfer() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of("complete-rpc", "unary"));
        triton.enqueue(TritonBehavior.answer("one ", "call"), TritonBehavior.status(Status.Code.INVALID_ARGUMENT, "prompt too long"));

        assertThat(complete(backend, triton.model(), GenerationParams.DEFAULTS).content()).isEqualTo("one call");
        Failure refused = failureOf(backend.complete(call(triton.model(), GenerationParams.DEFAULTS)));

        assertThat(triton.requests()).extracting(ReceivedRequest::rpc).containsExactly("ModelInfer", "ModelInfer");
        assertThat(triton.requests().get(0).boolParameters()).isEmpty();
        assertThat(refused.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(refused.message()).contains("prompt too long");
    }

    @Test
    void anErrorMessageInTheStreamEndsItAsAServerError() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("a", "b", "c").errorAfter(1, "CUDA out of memory"));
        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);

        assertThat(recorder.text()).isEqualTo("a");
        assertThat(recorder.completions).isEmpty();
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.SERVER_ERROR);
            assertThat(f.message()).contains("CUDA out of memory").contains("backend wire");
        });
    }

    @Test
    void aModelTritonDoesNotKnowIsRejectedAsAConfigurationFault() {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        Failure failure = failureOf(backend.complete(call("no_such_model", GenerationParams.DEFAULTS)));
        assertThat(failure.kind()).isEqualTo(FailureKind.BACKEND_REJECTED);
        assertThat(failure.kind().retriable()).isFalse();
        assertThat(failure.message()).contains("no_such_model").contains("NOT_FOUND");
    }

    @Test
    void aStreamClosedBeforeItsFinalResponseIsCut() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("x", "y").closingWithoutFinal());
        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);
        assertThat(recorder.text()).isEqualTo("xy");
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.STREAM_CUT);
    }

    @Test
    void aServerThatDoesNotMarkFinalResponsesEndsTheAnswerWithTheStream() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("old", " server").withoutFinalMarks());
        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);
        assertThat(recorder.text()).isEqualTo("old server");
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
    }

    @Test
    void aConnectionResetMidStreamIsAStreamCut() throws Exception {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        LoopbackRelay relay = new LoopbackRelay(triton.port());
        open.add(relay);
        ModelBackend backend = backend("127.0.0.1:" + relay.port(), triton.model(), Convention.TRTLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("first", " second").withPauseBeforeLast(Duration.ofSeconds(5)));

        Recorder recorder = new Recorder();
        backend.stream(call(triton.model(), GenerationParams.DEFAULTS), recorder);
        awaitTrue(() -> !recorder.deltas.isEmpty(), Duration.ofSeconds(3));
        relay.cutAll();
        recorder.awaitEnd();

        assertThat(recorder.text()).isEqualTo("first");
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.STREAM_CUT);
            assertThat(f.kind().movesOn()).isTrue();
        });
    }

    @Test
    void aStreamThatStallsAfterItsFirstTokenEndsAtTheReadTimeout() throws Exception {
        FakeTritonServer triton = triton(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        triton.enqueue(TritonBehavior.answer("a", "b").withPauseBeforeLast(Duration.ofSeconds(6)));
        long start = System.nanoTime();
        Recorder recorder = stream(backend, triton.model(), GenerationParams.DEFAULTS);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(recorder.text()).isEqualTo("a");
        assertThat(recorder.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.TIMEOUT);
        assertThat(took).isBetween(ModelBackendContract.READ_TIMEOUT, ModelBackendContract.TOTAL_TIMEOUT);
        awaitTrue(() -> triton.abandonedCalls() == 1, Duration.ofSeconds(2));
    }

    @Test
    void aValueTheModelsDatatypeCannotHoldIsTheClientsError() {
        FakeTritonServer triton = triton(Convention.TRTLLM);
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        GenerationParams negativeSeed = new GenerationParams(null, null, null, null, -5L, null, null, null, null);
        Failure failure = failureOf(backend.complete(call(triton.model(), negativeSeed)));
        assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(failure.message()).contains("-5 does not fit the model's UINT64");
        assertThat(triton.requests()).isEmpty();
    }
}
