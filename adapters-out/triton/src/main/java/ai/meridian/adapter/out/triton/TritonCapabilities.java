package ai.meridian.adapter.out.triton;

import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCapabilities.ParameterSupport;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * What a Triton model can do, for routing and {@code GET /v1/models}: text in, text out. No images, audio or
 * files (the prompt is text); no log probabilities; one choice per request ({@code n} > 1 is refused rather than
 * run as several generations the client did not see coming: a client that wants several answers sends several
 * requests). Raw text prompts (the Completions API) are sent without the chat template. Tool calling and JSON modes as
 * configured. The pass-through parameters are those the convention maps
 * and the model's metadata has an input for, plus {@code user} (the gateway's own: canary placement) and, with
 * tool calling, {@code parallel_tool_calls} (the gateway ends the answer after the first call when it is false).
 */
final class TritonCapabilities {
    private TritonCapabilities() {
    }

    /** {@code signature} may be null (metadata not read yet): then every parameter the convention can map is accepted. */
    static ModelCapabilities of(ModelOptions options, Convention convention, ModelSignature signature) {
        EnumSet<Capability> supported = EnumSet.of(Capability.TEXT_COMPLETION); // a raw prompt goes in as text_input
        EnumSet<Capability> unsupported = EnumSet.of(Capability.VISION, Capability.AUDIO, Capability.FILES, Capability.LOGPROBS,
                Capability.MULTIPLE_CHOICES);
        boolean tools = options.toolCalling() == ToolCalling.HERMES;
        (tools ? supported : unsupported).add(Capability.TOOLS);
        if (options.structuredOutput() == StructuredOutput.GUIDED_DECODING) {
            supported.add(Capability.JSON_OBJECT);
            supported.add(Capability.JSON_SCHEMA);
        } else {
            unsupported.add(Capability.JSON_OBJECT);
            unsupported.add(Capability.JSON_SCHEMA);
        }
        List<String> parameters = new ArrayList<>(convention.parameters(signature));
        parameters.add("user");
        if (tools) {
            parameters.add("parallel_tool_calls");
        }
        return new ModelCapabilities(supported, unsupported, options.contextWindow(), options.maxOutputTokens(),
                ParameterSupport.only(parameters));
    }
}
