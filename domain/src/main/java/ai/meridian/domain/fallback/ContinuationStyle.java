package ai.meridian.domain.fallback;

/**
 * How a backend is asked to continue an answer another backend began: by ending the prompt with the partial answer
 * as an open assistant turn it writes on from ({@code ASSISTANT_PREFIX}: DeepSeek's {@code prefix: true}, a Triton
 * chat template left open), or by showing the partial answer and asking for the rest ({@code PROMPT}: any chat model).
 */
public enum ContinuationStyle {
    ASSISTANT_PREFIX, PROMPT;

    /** The name in configuration, metrics and the stream's marker. */
    public String wireName() {
        return this == ASSISTANT_PREFIX ? "prefix" : "prompt";
    }

    public static ContinuationStyle named(String name) {
        if (name == null) {
            throw new IllegalArgumentException("a continuation style is 'prefix' or 'prompt'");
        }
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "prefix":
            case "assistant-prefix":
                return ASSISTANT_PREFIX;
            case "prompt":
                return PROMPT;
            default:
                throw new IllegalArgumentException("a continuation style is 'prefix' or 'prompt', not '" + name + "'");
        }
    }
}
