package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TensorRule.optional;
import static ai.meridian.adapter.out.triton.TensorRule.required;

import ai.meridian.adapter.out.triton.TensorRule.Kind;
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
            optional("min_p", Kind.REAL),
            optional("stop_words", Kind.TEXT),
            optional("random_seed", Kind.INTEGER),
            optional("seed", Kind.INTEGER),
            optional("presence_penalty", Kind.REAL),
            optional("frequency_penalty", Kind.REAL),
            optional("repetition_penalty", Kind.REAL),
            optional("min_length", Kind.INTEGER),
            optional(Names.EXCLUDE_INPUT, Kind.FLAG))) {
        @Override
        void addControls(RequestInputs inputs, SamplingControls c) {
            inputs.integer("max_tokens", c.maxTokens());
            real(inputs, "temperature", "temperature", c.temperature());
            real(inputs, "top_p", "top_p", c.topP());
            integer(inputs, "top_k", "top_k", c.topK());
            real(inputs, "min_p", "min_p", c.minP());
            if (!c.stop().isEmpty()) {
                require(inputs, "stop_words", "stop");
                inputs.texts("stop_words", c.stop());
            }
            if (c.seed() != null) {
                String seedInput = inputs.signature().input("random_seed").isPresent() ? "random_seed" : "seed";
                integer(inputs, seedInput, "seed", c.seed());
            }
            real(inputs, "presence_penalty", "presence_penalty", c.presencePenalty());
            real(inputs, "frequency_penalty", "frequency_penalty", c.frequencyPenalty());
            real(inputs, "repetition_penalty", "repetition_penalty", c.repetitionPenalty());
            integer(inputs, "min_length", "min_tokens", c.minTokens());
        }

        @Override
        List<String> parameters(ModelSignature signature) {
            List<String> accepted = new ArrayList<>();
            for (String[] pair : TRTLLM_PARAMETERS) {
                if (signature == null || signature.input(pair[1]).isPresent()) {
                    accepted.add(pair[0]);
                }
            }
            if (signature != null && signature.input("random_seed").isPresent() && !accepted.contains("seed")) {
                accepted.add("seed");
            }
            return accepted;
        }
    },
    /** The Triton vLLM backend: {@code text_input}, {@code stream}, {@code sampling_parameters} as JSON. */
    VLLM("vllm", List.of(
            required(Names.TEXT_INPUT, Kind.TEXT),
            required(Names.STREAM, Kind.FLAG),
            required("sampling_parameters", Kind.TEXT),
            required(Names.EXCLUDE_INPUT, Kind.FLAG))) {
        @Override
        void addControls(RequestInputs inputs, SamplingControls c) {
            inputs.text("sampling_parameters", samplingParameters(c));
        }

        @Override
        List<String> parameters(ModelSignature signature) {
            return VLLM_PARAMETERS;
        }
    };

    /** Request field and the TensorRT-LLM tensor that takes it ({@code seed} may also go to {@code random_seed}). */
    private static final String[][] TRTLLM_PARAMETERS = {
            {"seed", "seed"}, {"stop", "stop_words"}, {"presence_penalty", "presence_penalty"}, {"frequency_penalty", "frequency_penalty"},
            {"top_k", "top_k"}, {"min_p", "min_p"}, {"repetition_penalty", "repetition_penalty"}, {"min_tokens", "min_length"}};
    /** What {@code sampling_parameters} carries beyond temperature, top_p and max_tokens. */
    private static final List<String> VLLM_PARAMETERS = List.of("seed", "stop", "presence_penalty", "frequency_penalty", "top_k", "min_p",
            "repetition_penalty", "min_tokens");

    /** Tensor names both conventions share. */
    static final class Names {
        static final String TEXT_INPUT = "text_input";
        static final String STREAM = "stream";
        static final String EXCLUDE_INPUT = "exclude_input_in_output";
        static final String TEXT_OUTPUT = "text_output";
        static final String FINISH_REASON = "finish_reason";
        static final String INPUT_TOKENS = "num_input_tokens";
        static final String OUTPUT_TOKENS = "num_output_tokens";
        static final String OUTPUT_IDS = "output_ids";
        static final String SEQUENCE_LENGTH = "sequence_length";

        private Names() {
        }
    }

    /** Outputs read when the model has them; {@code text_output} is the only one it must have. */
    static final List<TensorRule> OUTPUTS = List.of(
            required(Names.TEXT_OUTPUT, Kind.TEXT),
            optional(Names.FINISH_REASON, Kind.TEXT),
            optional(Names.INPUT_TOKENS, Kind.INTEGER),
            optional(Names.OUTPUT_TOKENS, Kind.INTEGER),
            optional(Names.OUTPUT_IDS, Kind.INTEGER),
            optional(Names.SEQUENCE_LENGTH, Kind.INTEGER));

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

    /**
     * Adds the controls of one call. A control the request set that the model has no input for is refused with
     * {@link IllegalArgumentException} naming the request field: the model's default would silently replace it.
     */
    abstract void addControls(RequestInputs inputs, SamplingControls controls);

    /**
     * The pass-through request fields this convention honours for a model with {@code signature} (null: not
     * known yet, so everything the convention can map).
     */
    abstract List<String> parameters(ModelSignature signature);

    /** Adds every input of one call. */
    void addInputs(RequestInputs inputs, String prompt, boolean stream, SamplingControls controls) {
        inputs.text(Names.TEXT_INPUT, prompt);
        inputs.flag(Names.STREAM, stream);
        inputs.flag(Names.EXCLUDE_INPUT, true);
        for (OutputSwitch outputSwitch : OutputSwitch.ALL) {
            if (inputs.signature().hasOutput(outputSwitch.output())) {
                inputs.flag(outputSwitch.input(), true);
            }
        }
        addControls(inputs, controls);
    }

    /**
     * The outputs to ask for: {@code text_output} and those optional ones the model has, with one source of the
     * answer's token count: {@code num_output_tokens}, else {@code output_ids} (counted), else {@code sequence_length}.
     */
    static List<String> requestedOutputs(ModelSignature signature) {
        List<String> names = new ArrayList<>(OUTPUTS.size());
        for (TensorRule rule : OUTPUTS) {
            if (rule.required() || signature.hasOutput(rule.name())) {
                names.add(rule.name());
            }
        }
        if (names.contains(Names.OUTPUT_TOKENS)) {
            names.remove(Names.OUTPUT_IDS);
            names.remove(Names.SEQUENCE_LENGTH);
        } else if (names.contains(Names.OUTPUT_IDS)) {
            names.remove(Names.SEQUENCE_LENGTH);
        }
        return names;
    }

    private static void require(RequestInputs inputs, String input, String param) {
        if (inputs.signature().input(input).isEmpty()) {
            throw new IllegalArgumentException("Triton model '" + inputs.signature().model() + "' has no input '" + input
                    + "' for the parameter '" + param + "'");
        }
    }

    private static void real(RequestInputs inputs, String input, String param, Double value) {
        if (value != null) {
            require(inputs, input, param);
            inputs.real(input, value);
        }
    }

    private static void integer(RequestInputs inputs, String input, String param, Long value) {
        if (value != null) {
            require(inputs, input, param);
            try {
                inputs.integer(input, value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid value for '" + param + "': " + e.getMessage(), e);
            }
        }
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

    /**
     * The vLLM {@code SamplingParams} as JSON: only what the request set, plus max_tokens (vLLM's default is 16)
     * and the guided-decoding object of a JSON mode.
     */
    static String samplingParameters(SamplingControls c) {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("max_tokens", c.maxTokens());
            if (c.temperature() != null) {
                g.writeNumberField("temperature", c.temperature());
            }
            if (c.topP() != null) {
                g.writeNumberField("top_p", c.topP());
            }
            if (c.topK() != null) {
                g.writeNumberField("top_k", c.topK());
            }
            if (c.minP() != null) {
                g.writeNumberField("min_p", c.minP());
            }
            if (!c.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String stop : c.stop()) {
                    g.writeString(stop);
                }
                g.writeEndArray();
            }
            if (c.seed() != null) {
                g.writeNumberField("seed", c.seed());
            }
            if (c.presencePenalty() != null) {
                g.writeNumberField("presence_penalty", c.presencePenalty());
            }
            if (c.frequencyPenalty() != null) {
                g.writeNumberField("frequency_penalty", c.frequencyPenalty());
            }
            if (c.repetitionPenalty() != null) {
                g.writeNumberField("repetition_penalty", c.repetitionPenalty());
            }
            if (c.minTokens() != null) {
                g.writeNumberField("min_tokens", c.minTokens());
            }
            if (c.guidedDecoding() != null) {
                g.writeFieldName("guided_decoding");
                g.writeRawValue(c.guidedDecoding());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
