package ai.meridian.adapter.out.triton;

import java.util.Objects;

/**
 * What a backend knows about one Triton model beyond its metadata: the chat template its prompt is written
 * in, whether and how it calls tools, whether it can be held to JSON output, and its sizes (0: unknown).
 * The backend's own keys give the defaults; {@code models[i]} entries override them per Triton model.
 */
record ModelOptions(ChatTemplate chatTemplate, ToolCalling toolCalling, StructuredOutput structuredOutput, int contextWindow,
                    int maxOutputTokens) {

    ModelOptions {
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        Objects.requireNonNull(toolCalling, "toolCalling");
        Objects.requireNonNull(structuredOutput, "structuredOutput");
        if (contextWindow < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("context-window and max-output-tokens must not be negative");
        }
    }

    /** Checks the combinations the conventions cannot serve; {@code where} names the configuration section. */
    void check(String where, Convention convention) {
        if (toolCalling == ToolCalling.HERMES && chatTemplate != ChatTemplate.CHATML) {
            throw new IllegalArgumentException(where + ".tool-calling: hermes needs chat-template: chatml (the Hermes/Qwen "
                    + "convention is written in ChatML), not " + chatTemplate.configName());
        }
        if (structuredOutput == StructuredOutput.GUIDED_DECODING && convention != Convention.VLLM) {
            throw new IllegalArgumentException(where + ".structured-output: guided-decoding needs convention: vllm "
                    + "(it is sent in sampling_parameters)");
        }
        if (contextWindow > 0 && maxOutputTokens > contextWindow) {
            throw new IllegalArgumentException(where + ".max-output-tokens (" + maxOutputTokens + ") must not exceed context-window ("
                    + contextWindow + ")");
        }
    }
}
