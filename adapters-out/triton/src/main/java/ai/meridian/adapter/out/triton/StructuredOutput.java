package ai.meridian.adapter.out.triton;

import java.util.Locale;

/** Whether a Triton model can be held to JSON output ({@code response_format}), and how. */
enum StructuredOutput {
    /** No: requests asking for JSON modes are not sent to the model. */
    NONE("none"),
    /**
     * The vLLM backend's guided decoding: {@code sampling_parameters.guided_decoding} with {@code json_object} or
     * {@code json} (the schema). Needs a Triton vLLM backend that accepts {@code guided_decoding}.
     */
    GUIDED_DECODING("guided-decoding");

    private final String configName;

    StructuredOutput(String configName) {
        this.configName = configName;
    }

    String configName() {
        return configName;
    }

    static StructuredOutput named(String name) {
        for (StructuredOutput s : values()) {
            if (s.configName.equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown structured output '" + name + "'");
    }
}
