package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import ai.meridian.domain.chat.GenerationParams;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConventionTest {

    private static TensorSpec spec(String name, String datatype, long... shape) {
        List<Long> dims = new java.util.ArrayList<>();
        for (long d : shape) {
            dims.add(d);
        }
        return new TensorSpec(name, datatype, dims);
    }

    private static ModelSignature signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        Map<String, TensorSpec> in = new LinkedHashMap<>();
        inputs.forEach(s -> in.put(s.name(), s));
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        outputs.forEach(s -> out.put(s.name(), s));
        return new ModelSignature("llm", in, out);
    }

    @Test
    void samplingParametersCarryWhatTheRequestSetAsJson() {
        GenerationParams params = new GenerationParams(0.7, 0.9, 128, List.of("</s>", "停\"止\n"), 42L, "user-1", null, 0.5, -0.25);
        assertThat(Convention.samplingParameters(SamplingControls.of(params, 128, 40, StructuredOutput.NONE))).isEqualTo(
                "{\"max_tokens\":128,\"temperature\":0.7,\"top_p\":0.9,\"top_k\":40,\"stop\":[\"</s>\",\"停\\\"止\\n\"],"
                        + "\"seed\":42,\"presence_penalty\":0.5,\"frequency_penalty\":-0.25}");
    }

    @Test
    void samplingParametersAlwaysBoundTheAnswer() {
        assertThat(Convention.samplingParameters(SamplingControls.of(GenerationParams.DEFAULTS, 1024, null, StructuredOutput.NONE)))
                .isEqualTo("{\"max_tokens\":1024}");
    }

    @Test
    void shapesComeFromTheMetadata() {
        assertThat(spec("text_input", "BYTES", -1, 1).shapeFor(1)).containsExactly(1, 1);
        assertThat(spec("text_input", "BYTES", 1).shapeFor(1)).containsExactly(1);
        assertThat(spec("stop_words", "BYTES", -1, -1).shapeFor(3)).containsExactly(1, 3);
        assertThat(spec("text_input", "BYTES", -1).shapeFor(1)).containsExactly(1);
        assertThat(spec("scalar", "INT32").shapeFor(1)).containsExactly(1);
    }

    @Test
    void aModelWithWhatTheConventionNeedsPasses() {
        ModelSignature vllm = signature(
                List.of(spec("text_input", "BYTES", 1), spec("stream", "BOOL", 1), spec("sampling_parameters", "BYTES", 1),
                        spec("exclude_input_in_output", "BOOL", 1)),
                List.of(spec("text_output", "BYTES", -1)));
        assertThatCode(() -> Convention.VLLM.check(vllm, "b", false)).doesNotThrowAnyException();
        ModelSignature trtllm = signature(
                List.of(spec("text_input", "BYTES", -1, 1), spec("max_tokens", "UINT32", -1, 1), spec("top_k", "INT32", -1, 1)),
                List.of(spec("text_output", "BYTES", -1, -1)));
        assertThatCode(() -> Convention.TRTLLM.check(trtllm, "b", true)).doesNotThrowAnyException();
    }

    @Test
    void aMissingInputIsNamedWithTheBackendAndModel() {
        ModelSignature noSampling = signature(
                List.of(spec("text_input", "BYTES", 1), spec("stream", "BOOL", 1), spec("exclude_input_in_output", "BOOL", 1)),
                List.of(spec("text_output", "BYTES", -1)));
        assertThatThrownBy(() -> Convention.VLLM.check(noSampling, "gpu-a", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("backend gpu-a")
                .hasMessageContaining("Triton model 'llm'")
                .hasMessageContaining("no input 'sampling_parameters'")
                .hasMessageContaining("vllm convention");
    }

    @Test
    void aMissingOutputOrAWrongDatatypeIsRefused() {
        ModelSignature noText = signature(List.of(spec("text_input", "BYTES", -1, 1), spec("max_tokens", "INT32", -1, 1)),
                List.of(spec("output_ids", "INT32", -1, -1)));
        assertThatThrownBy(() -> Convention.TRTLLM.check(noText, "b", false)).hasMessageContaining("no output 'text_output'");
        ModelSignature halfPrecision = signature(
                List.of(spec("text_input", "BYTES", -1, 1), spec("max_tokens", "INT32", -1, 1), spec("temperature", "FP16", -1, 1)),
                List.of(spec("text_output", "BYTES", -1, -1)));
        assertThatThrownBy(() -> Convention.TRTLLM.check(halfPrecision, "b", false))
                .hasMessageContaining("input 'temperature' as FP16; expected FP32 or FP64");
        ModelSignature fixedStops = signature(
                List.of(spec("text_input", "BYTES", -1, 1), spec("max_tokens", "INT32", -1, 1), spec("stop_words", "BYTES", -1, 1)),
                List.of(spec("text_output", "BYTES", -1, -1)));
        assertThatThrownBy(() -> Convention.TRTLLM.check(fixedStops, "b", false)).hasMessageContaining("stop_words");
    }

    @Test
    void aConfiguredTopKNeedsAModelThatTakesIt() {
        ModelSignature noTopK = signature(List.of(spec("text_input", "BYTES", -1, 1), spec("max_tokens", "INT32", -1, 1)),
                List.of(spec("text_output", "BYTES", -1, -1)));
        assertThatThrownBy(() -> Convention.TRTLLM.check(noTopK, "b", true)).hasMessageContaining("meridian.backends.b.top-k");
    }
}
