package ai.meridian.adapter.out.triton;

import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ResponseFormat;
import ai.meridian.support.json.RawJson;
import java.util.List;
import java.util.Map;

/**
 * The controls of one call as a Triton model takes them: the request's sampling fields, the pass-through fields
 * the conventions can map ({@code top_k}, {@code min_p}, {@code repetition_penalty}, {@code min_tokens}), and
 * the guided-decoding object a JSON mode asks for. Built once per call; a value the model cannot take, or a
 * pass-through field no convention maps, is refused here with a message naming the field, never dropped.
 */
record SamplingControls(Double temperature, Double topP, int maxTokens, List<String> stop, Long seed, Double presencePenalty,
                        Double frequencyPenalty, Long topK, Double minP, Double repetitionPenalty, Long minTokens,
                        String guidedDecoding) {

    /** Pass-through request fields the Triton conventions map to a model input (vLLM: all; TensorRT-LLM: where the model has the tensor). */
    static final List<String> MAPPED_EXTRAS = List.of("top_k", "min_p", "repetition_penalty", "min_tokens");

    SamplingControls {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /**
     * The controls for {@code p}: {@code maxTokens} is the limit to send, {@code configuredTopK} the backend's
     * {@code top-k} (the request's {@code top_k} wins), {@code structured} how JSON modes are honoured.
     */
    static SamplingControls of(GenerationParams p, int maxTokens, Integer configuredTopK, StructuredOutput structured) {
        Map<String, String> extra = p.extra();
        for (String name : extra.keySet()) {
            if (!MAPPED_EXTRAS.contains(name)) {
                throw new IllegalArgumentException("Triton models do not support the parameter '" + name + "'");
            }
        }
        Long topK = integer(extra, "top_k", -1, Integer.MAX_VALUE);
        if (topK == null && configuredTopK != null) {
            topK = configuredTopK.longValue();
        }
        Double minP = number(extra, "min_p", 0, 1, true);
        Double repetitionPenalty = number(extra, "repetition_penalty", 0, Double.MAX_VALUE, false);
        Long minTokens = integer(extra, "min_tokens", 0, Integer.MAX_VALUE);
        if (minTokens != null && minTokens > maxTokens) {
            throw new IllegalArgumentException("Invalid value for 'min_tokens': " + minTokens + " is more than the answer's limit of "
                    + maxTokens + " tokens");
        }
        return new SamplingControls(p.temperature(), p.topP(), maxTokens, p.stop(), p.seed(), p.presencePenalty(), p.frequencyPenalty(),
                topK, minP, repetitionPenalty, minTokens, guidedDecoding(p, structured));
    }

    /** The vLLM {@code guided_decoding} object for the request's JSON mode, or null when it asks for none. */
    private static String guidedDecoding(GenerationParams p, StructuredOutput structured) {
        ResponseFormat format = p.responseFormat();
        if (format == null || !format.isJson()) {
            return null;
        }
        if (structured != StructuredOutput.GUIDED_DECODING) {
            throw new IllegalArgumentException("this Triton model cannot be held to JSON output ('response_format' " + format.type() + ")");
        }
        if ("json_object".equals(format.type())) {
            return "{\"json_object\":true}";
        }
        String schema = RawJson.objectMembers(format.schemaJson()).get("schema");
        if (schema == null || !RawJson.isObject(schema)) {
            throw new IllegalArgumentException("Invalid value for 'response_format.json_schema': it needs a 'schema' object");
        }
        return "{\"json\":" + schema + "}";
    }

    private static Long integer(Map<String, String> extra, String name, long min, long max) {
        String json = extra.get(name);
        if (json == null) {
            return null;
        }
        Long value = RawJson.longValue(json);
        if (value == null || value < min || value > max) {
            throw new IllegalArgumentException("Invalid value for '" + name + "': expected a whole number from " + min
                    + (max == Integer.MAX_VALUE ? " up" : " to " + max) + ", got " + json);
        }
        return value;
    }

    private static Double number(Map<String, String> extra, String name, double min, double max, boolean minIncluded) {
        String json = extra.get(name);
        if (json == null) {
            return null;
        }
        Double value = RawJson.numberValue(json);
        if (value == null || value.isNaN() || value > max || value < min || (!minIncluded && value == min)) {
            throw new IllegalArgumentException("Invalid value for '" + name + "': expected a number " + (minIncluded ? "from " : "above ")
                    + fmt(min) + (max == Double.MAX_VALUE ? "" : " to " + fmt(max)) + ", got " + json);
        }
        return value;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
