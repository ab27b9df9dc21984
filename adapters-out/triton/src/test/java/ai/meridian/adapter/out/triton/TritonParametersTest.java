package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TritonTestSupport.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.testkit.ModelBackendContract.Recorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Pass-through parameters, capabilities and token accounting of Triton models, per convention. */
class TritonParametersTest {
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

    private FakeTritonServer triton(FakeTritonServer.Builder builder) {
        FakeTritonServer server = builder.start();
        open.add(server);
        return server;
    }

    private ModelBackend backend(FakeTritonServer triton, Convention convention, Map<String, String> extra) {
        ModelBackend backend = factory.create(TritonTestSupport.settings("params", triton.endpoint(), convention, triton.model(), extra));
        open.add(backend);
        return backend;
    }

    private static GenerationParams params(Integer maxTokens, Map<String, String> extra) {
        return new GenerationParams(null, null, maxTokens, List.of(), null, null, null, null, null, null, null, null, extra, null);
    }

    private static Recorder stream(ModelBackend backend, String model, GenerationParams params) throws InterruptedException {
        Recorder recorder = new Recorder();
        backend.stream(call(model, params), recorder);
        recorder.awaitEnd();
        return recorder;
    }

    private static Map<String, String> extras(String... pairs) {
        Map<String, String> extra = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            extra.put(pairs[i], pairs[i + 1]);
        }
        return extra;
    }

    @Test
    void vllmTakesTheVendorSamplingFieldsInSamplingParameters() throws Exception {
        FakeTritonServer triton = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("top-k", "40"));
        Recorder recorder = stream(backend, triton.model(),
                params(32, extras("top_k", "5", "min_p", "0.05", "repetition_penalty", "1.1", "min_tokens", "2")));
        assertThat(recorder.failures).isEmpty();
        assertThat(triton.requests().get(0).samplingParameters()).containsExactly(
                Map.entry("max_tokens", 32L), Map.entry("top_k", 5L), Map.entry("min_p", 0.05), Map.entry("repetition_penalty", 1.1),
                Map.entry("min_tokens", 2L));
        ModelCapabilities capabilities = backend.capabilities(triton.model());
        for (String accepted : List.of("top_k", "min_p", "repetition_penalty", "min_tokens", "seed", "stop", "presence_penalty",
                "frequency_penalty", "user")) {
            assertThat(capabilities.parameters().accepts(accepted)).as(accepted).isTrue();
        }
        for (String refused : List.of("logit_bias", "reasoning_effort", "chat_template_kwargs", "thinking", "metadata", "parallel_tool_calls")) {
            assertThat(capabilities.parameters().accepts(refused)).as(refused).isFalse();
        }
    }

    @Test
    void trtllmTakesThemAsTheEnsemblesTensorsAndRefusesWhatItHasNoTensorFor() throws Exception {
        FakeTritonServer triton = triton(FakeTritonServer.of(Convention.TRTLLM));
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        Recorder recorder = stream(backend, triton.model(), params(32, extras("top_k", "7", "repetition_penalty", "1.2")));
        assertThat(recorder.failures).isEmpty();
        ReceivedRequest r = triton.requests().get(0);
        assertThat(r.single("top_k")).isEqualTo(7L);
        assertThat((Double) r.single("repetition_penalty")).isCloseTo(1.2, within(1e-6));

        // The ensemble has no min_p and no min_length input: both are named, not dropped.
        ModelCapabilities capabilities = backend.capabilities(triton.model());
        assertThat(capabilities.parameters().accepts("top_k")).isTrue();
        assertThat(capabilities.parameters().accepts("repetition_penalty")).isTrue();
        assertThat(capabilities.parameters().accepts("seed")).as("random_seed takes it").isTrue();
        assertThat(capabilities.parameters().accepts("min_p")).isFalse();
        assertThat(capabilities.parameters().accepts("min_tokens")).isFalse();
        Recorder refused = stream(backend, triton.model(), params(32, extras("min_p", "0.1")));
        assertThat(refused.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
            assertThat(f.message()).contains("no input 'min_p' for the parameter 'min_p'");
        });
        assertThat(stream(backend, triton.model(), params(32, extras("min_tokens", "3"))).failures).singleElement()
                .satisfies(f -> assertThat(f.message()).contains("no input 'min_length' for the parameter 'min_tokens'"));
    }

    @Test
    void aFieldNoConventionMapsOrAValueOfTheWrongKindIsRefusedByName() throws Exception {
        FakeTritonServer triton = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        assertThat(failure(backend, triton, params(null, extras("logit_bias", "{\"50256\": -100}"))).message())
                .contains("do not support the parameter 'logit_bias'");
        assertThat(failure(backend, triton, params(null, extras("top_k", "\"many\""))).message())
                .contains("Invalid value for 'top_k'");
        assertThat(failure(backend, triton, params(null, extras("min_p", "1.5"))).message()).contains("Invalid value for 'min_p'");
        assertThat(failure(backend, triton, params(8, extras("min_tokens", "9"))).message()).contains("'min_tokens'");
        GenerationParams twoChoices = new GenerationParams(null, null, null, List.of(), null, null, null, null, null, 2, null, null, Map.of(), null);
        assertThat(failure(backend, triton, twoChoices).message()).contains("'n' must be 1");
        GenerationParams logprobs = new GenerationParams(null, null, null, List.of(), null, null, null, null, null, null, true, null, Map.of(), null);
        assertThat(failure(backend, triton, logprobs).message()).contains("'logprobs'");
        assertThat(triton.requests()).as("nothing was sent").isEmpty();
        ModelCapabilities capabilities = backend.capabilities(triton.model());
        assertThat(capabilities.unsupported()).contains(Capability.MULTIPLE_CHOICES, Capability.LOGPROBS, Capability.VISION,
                Capability.AUDIO, Capability.FILES, Capability.JSON_OBJECT, Capability.JSON_SCHEMA, Capability.TOOLS);
    }

    private static Failure failure(ModelBackend backend, FakeTritonServer triton, GenerationParams params) throws InterruptedException {
        Recorder recorder = stream(backend, triton.model(), params);
        assertThat(recorder.failures).hasSize(1);
        assertThat(recorder.failures.get(0).kind()).isEqualTo(FailureKind.CLIENT_ERROR);
        return recorder.failures.get(0);
    }

    @Test
    void vllmGuidedDecodingHoldsTheAnswerToJsonWhenConfigured() throws Exception {
        FakeTritonServer triton = triton(FakeTritonServer.of(Convention.VLLM));
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("structured-output", "guided-decoding"));
        assertThat(backend.capabilities(triton.model()).supported()).contains(Capability.JSON_OBJECT, Capability.JSON_SCHEMA);
        GenerationParams jsonObject = new GenerationParams(null, null, null, List.of(), null, null, ResponseFormat.JSON_OBJECT, null, null);
        stream(backend, triton.model(), jsonObject);
        assertThat(triton.requests().get(0).samplingParameters()).containsEntry("guided_decoding", "{\"json_object\":true}");
        GenerationParams schema = new GenerationParams(null, null, null, List.of(), null, null,
                new ResponseFormat("json_schema", "{\"name\":\"w\",\"schema\":{\"type\":\"object\"},\"strict\":true}"), null, null);
        stream(backend, triton.model(), schema);
        assertThat(triton.requests().get(1).samplingParameters()).containsEntry("guided_decoding", "{\"json\":{\"type\":\"object\"}}");

        ModelBackend plain = backend(triton, Convention.VLLM, Map.of());
        assertThat(failure(plain, triton, jsonObject).message()).contains("cannot be held to JSON output");
        FakeTritonServer ensemble = triton(FakeTritonServer.of(Convention.TRTLLM));
        assertThatThrownBy(() -> backend(ensemble, Convention.TRTLLM, Map.of("structured-output", "guided-decoding")))
                .hasMessageContaining("structured-output: guided-decoding needs convention: vllm");
    }

    @Test
    void anEnsembleWithTokenOutputsSaysLengthWhenMaxTokensCutTheAnswer() throws Exception {
        FakeTritonServer triton = triton(FakeTritonServer.of(Convention.TRTLLM).withTokenOutputs());
        ModelBackend backend = backend(triton, Convention.TRTLLM, Map.of());
        Recorder cut = stream(backend, triton.model(), params(3, Map.of()));
        assertThat(cut.text()).isEqualTo("Hello from a");
        assertThat(cut.completions).containsExactly(FinishReason.LENGTH);
        assertThat(triton.requests().get(0).requestedOutputs()).containsExactly("text_output", "output_ids");
        Recorder whole = stream(backend, triton.model(), params(64, Map.of()));
        assertThat(whole.completions).containsExactly(FinishReason.STOP);
        Completion completion = backend.complete(call(triton.model(), params(2, Map.of()))).get(5, TimeUnit.SECONDS);
        assertThat(completion.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completion.usage()).as("no input count from the ensemble: the core counts usage").isEqualTo(Optional.empty());

        FakeTritonServer counting = triton(FakeTritonServer.of(Convention.TRTLLM).withTokenOutputs().withInputTokenOutput());
        ModelBackend withUsage = backend(counting, Convention.TRTLLM, Map.of());
        Recorder counted = stream(withUsage, counting.model(), params(64, Map.of()));
        assertThat(counted.usages).singleElement().satisfies(u -> {
            assertThat(u).as("input count and output ids: the ensemble's own usage").isPresent();
            assertThat(u.get().completionTokens()).isEqualTo(6);
            assertThat(u.get().promptTokens()).isPositive();
        });
        assertThat(counting.requests().get(0).requestedOutputs()).containsExactly("text_output", "num_input_tokens", "output_ids");

        FakeTritonServer standard = triton(FakeTritonServer.of(Convention.TRTLLM));
        ModelBackend plain = backend(standard, Convention.TRTLLM, Map.of());
        assertThat(stream(plain, standard.model(), params(3, Map.of())).completions)
                .as("without token outputs the ensemble cannot tell").containsExactly(FinishReason.STOP);
    }
}
