package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TensorRule.optional;
import static ai.meridian.adapter.out.triton.TensorRule.required;

import ai.meridian.adapter.out.triton.TensorRule.Kind;
import ai.meridian.domain.chat.GenerationParams;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How a kind of Triton LLM model takes its controls. The prompt, the streaming flag and the optional
 * extras (finish reason, token counts) are shared; the sampling controls differ: TensorRT-LLM takes
 * one tensor each, the vLLM backend one JSON string.
 */
enum Convention {
    /** The TensorRT-LLM ensemble (or BLS): {@code text_input}, {@code max_tokens}, one tensor per control. */
    TRTLLM("trtllm", List.of(
            required(Names.TEXT_INPUT, Kind.TEXT),
            required("max_tokens", Kind.INTEGER),
            optional(Names.STREAM, Kind.FLAG),
            optional("temperature", Kind.REAL),
            optional("top_p", Kind.REAL),
            optional("top_k", Kind.INTEGER),
            optional("stop_words", Kind.TEXT),
            optional("random_seed", Kind.INTEGER),
            optional("seed", Kind.INTEGER),
            optional("presence_penalty", Kind.REAL),
            optional("frequency_penalty", Kind.REAL),
            optional(Names.EXCLUDE_INPUT, Kind.FLAG))) {
        @Override
        void addControls(RequestInputs inputs, GenerationParams p, int maxTokens, Integer topK) {
            inputs.integer("max_tokens", maxTokens);
            inputs.real("temperature", p.temperature());
            inputs.real("top_p", p.topP());
            inputs.integer("top_k", topK);
            inputs.texts("stop_words", p.stop());
            inputs.integer("random_seed", p.seed());
            inputs.integer("seed", p.seed());
            inputs.real("presence_penalty", p.presencePenalty());
            inputs.real("frequency_penalty", p.frequencyPenalty());
        }
    },
    /** The Triton vLLM backend: {@code text_input}, {@code stream}, {@code sampling_parameters} as JSON. */
    VLLM("vllm", List.of(
            required(Names.TEXT_INPUT, Kind.TEXT),
            required(Names.STREAM, Kind.FLAG),
            required("sampling_parameters", Kind.TEXT),
            required(Names.EXCLUDE_INPUT, Kind.FLAG))) {
        @Override
        void addControls(RequestInputs inputs, GenerationParams p, int maxTokens, Integer topK) {
            inputs.text("sampling_parameters", samplingParameters(p, maxTokens, topK));
        }
    };

    /** Tensor names both conventions share. */
    static final class Names {
        static final String TEXT_INPUT = "text_input";
        static final String STREAM = "stream";
        static final String EXCLUDE_INPUT = "exclude_input_in_output";
        static final String TEXT_OUTPUT = "text_output";
        static final String FINISH_REASON = "finish_reason";
        static final String INPUT_TOKENS = "num_input_tokens";
        static final String OUTPUT_TOKENS = "num_output_tokens";

        private Names() {
        }
    }

    /** Outputs read when the model has them; {@code text_output} is the only one it must have. */
    static final List<TensorRule> OUTPUTS = List.of(
            required(Names.TEXT_OUTPUT, Kind.TEXT),
            optional(Names.FINISH_REASON, Kind.TEXT),
            optional(Names.INPUT_TOKENS, Kind.INTEGER),
            optional(Names.OUTPUT_TOKENS, Kind.INTEGER));

    /** An input that asks a model for an optional output; sent only when the model has both. */
    private record OutputSwitch(String input, String output) {
        // In a holder class: enum constructors may not read the enum's own static fields.
        static final List<OutputSwitch> ALL = List.of(
                new OutputSwitch("return_finish_reason", Names.FINISH_REASON),
                new OutputSwitch("return_num_input_tokens", Names.INPUT_TOKENS),
                new OutputSwitch("return_num_output_tokens", Names.OUTPUT_TOKENS));
    }

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private final String configName;
    private final List<TensorRule> inputs;

    Convention(String configName, List<TensorRule> inputs) {
        this.configName = configName;
        List<TensorRule> all = new ArrayList<>(inputs);
        OutputSwitch.ALL.forEach(s -> all.add(optional(s.input(), Kind.FLAG)));
        this.inputs = List.copyOf(all);
    }

    String configName() {
        return configName;
    }

    List<TensorRule> inputs() {
        return inputs;
    }

    static Convention named(String name) {
        for (Convention c : values()) {
            if (c.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown convention '" + name + "'");
    }

    abstract void addControls(RequestInputs inputs, GenerationParams params, int maxTokens, Integer topK);

    /** Adds every input of one call; controls the model has no input for are not sent. */
    void addInputs(RequestInputs inputs, String prompt, boolean stream, GenerationParams params, int maxTokens, Integer topK) {
        inputs.text(Names.TEXT_INPUT, prompt);
        inputs.flag(Names.STREAM, stream);
        inputs.flag(Names.EXCLUDE_INPUT, true);
        for (OutputSwitch outputSwitch : OutputSwitch.ALL) {
            if (inputs.signature().hasOutput(outputSwitch.output())) {
                inputs.flag(outputSwitch.input(), true);
            }
        }
        addControls(inputs, params, maxTokens, topK);
    }

    /** The outputs to ask for: {@code text_output} and those optional ones the model has. */
    static List<String> requestedOutputs(ModelSignature signature) {
        List<String> names = new ArrayList<>(OUTPUTS.size());
        for (TensorRule rule : OUTPUTS) {
            if (rule.required() || signature.hasOutput(rule.name())) {
                names.add(rule.name());
            }
        }
        return names;
    }

    /**
     * Checks that the model has what this convention needs, with datatypes it can write and read.
     * Throws {@link IllegalArgumentException} naming the backend, the model and the tensor.
     */
    void check(ModelSignature signature, String backendId, boolean topKConfigured) {
        String where = "backend " + backendId + ": Triton model '" + signature.model() + "'";
        for (TensorRule rule : inputs) {
            TensorSpec spec = signature.inputs().get(rule.name());
            if (spec == null) {
                if (rule.required()) {
                    throw new IllegalArgumentException(where + " has no input '" + rule.name() + "', which the " + configName
                            + " convention needs (the model's inputs: " + signature.inputs().keySet() + ")");
                }
                continue;
            }
            requireDatatype(where, "input", rule, spec);
            if (rule.name().equals("stop_words") && !spec.takesList()) {
                throw new IllegalArgumentException(where + " takes stop_words with shape " + spec.shape()
                        + "; a list of stop words needs a variable last dimension");
            }
        }
        for (TensorRule rule : OUTPUTS) {
            TensorSpec spec = signature.outputs().get(rule.name());
            if (spec == null) {
                if (rule.required()) {
                    throw new IllegalArgumentException(where + " has no output '" + rule.name() + "', which the " + configName
                            + " convention reads (the model's outputs: " + signature.outputs().keySet() + ")");
                }
                continue;
            }
            requireDatatype(where, "output", rule, spec);
        }
        if (topKConfigured && this == TRTLLM && signature.input("top_k").isEmpty()) {
            throw new IllegalArgumentException("meridian.backends." + backendId + ".top-k is set but Triton model '"
                    + signature.model() + "' has no top_k input");
        }
    }

    private static void requireDatatype(String where, String direction, TensorRule rule, TensorSpec spec) {
        if (!rule.kind().accepts(spec.datatype())) {
            throw new IllegalArgumentException(where + " declares " + direction + " '" + rule.name() + "' as " + spec.datatype()
                    + "; expected " + rule.kind().description());
        }
    }

    /** The vLLM {@code SamplingParams} as JSON: only what the request set, plus max_tokens (vLLM's default is 16). */
    static String samplingParameters(GenerationParams p, int maxTokens, Integer topK) {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("max_tokens", maxTokens);
            if (p.temperature() != null) {
                g.writeNumberField("temperature", p.temperature());
            }
            if (p.topP() != null) {
                g.writeNumberField("top_p", p.topP());
            }
            if (topK != null) {
                g.writeNumberField("top_k", topK);
            }
            if (!p.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String stop : p.stop()) {
                    g.writeString(stop);
                }
                g.writeEndArray();
            }
            if (p.seed() != null) {
                g.writeNumberField("seed", p.seed());
            }
            if (p.presencePenalty() != null) {
                g.writeNumberField("presence_penalty", p.presencePenalty());
            }
            if (p.frequencyPenalty() != null) {
                g.writeNumberField("frequency_penalty", p.frequencyPenalty());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
