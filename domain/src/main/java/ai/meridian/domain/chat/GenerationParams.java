package ai.meridian.domain.chat;

import java.util.List;
import java.util.Map;

/**
 * Sampling and output controls of a chat request; each is optional (null means "backend default").
 * {@code maxTokensField} is the request field that carried {@code maxTokens} ({@code max_tokens} or
 * {@code max_completion_tokens}; null when neither), so it is forwarded under the name the client used.
 * {@code n} asks for several choices; {@code logprobs}/{@code topLogprobs} for token log probabilities.
 * {@code extra} holds every other request field the gateway does not interpret itself, as raw JSON in the
 * client's order: OpenAI fields ({@code logit_bias}, {@code reasoning_effort}, {@code metadata},
 * {@code service_tier}, {@code prediction}, ...) and vendor extras ({@code thinking}, {@code enable_thinking},
 * {@code chat_template_kwargs}, {@code top_k}, {@code min_p}, {@code options}, ...). OpenAI-compatible
 * backends receive them verbatim; a backend that cannot honour one refuses the request naming it.
 */
public record GenerationParams(
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        String user,
        ResponseFormat responseFormat,
        Double presencePenalty,
        Double frequencyPenalty,
        Integer n,
        Boolean logprobs,
        Integer topLogprobs,
        Map<String, String> extra,
        String maxTokensField) {

    public static final GenerationParams DEFAULTS =
            new GenerationParams(null, null, null, List.of(), null, null, null, null, null, null, null, null, Map.of(), null);
    /** The most choices one request may ask for. */
    public static final int MAX_CHOICES = 128;

    public GenerationParams {
        inRange("temperature", temperature, 0, 2);
        inRange("top_p", topP, 0, 1);
        inRange("presence_penalty", presencePenalty, -2, 2);
        inRange("frequency_penalty", frequencyPenalty, -2, 2);
        if (maxTokens != null && maxTokens < 1) {
            throw new InvalidValueException("max_tokens", "max_tokens must be at least 1");
        }
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (stop.size() > 4) {
            throw new InvalidValueException("stop", "stop accepts at most 4 sequences");
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new InvalidValueException("stop", "stop sequences must not be empty");
            }
        }
        if (user != null && user.length() > 256) {
            throw new InvalidValueException("user", "user must be at most 256 characters");
        }
        if (n != null && (n < 1 || n > MAX_CHOICES)) {
            throw new InvalidValueException("n", "n must be between 1 and " + MAX_CHOICES);
        }
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > 20)) {
            throw new InvalidValueException("top_logprobs", "top_logprobs must be between 0 and 20");
        }
        if (topLogprobs != null && !Boolean.TRUE.equals(logprobs)) {
            throw new InvalidValueException("top_logprobs", "top_logprobs needs logprobs set to true");
        }
        extra = RawFields.copy(extra);
        if (maxTokensField != null && !maxTokensField.equals("max_tokens") && !maxTokensField.equals("max_completion_tokens")) {
            throw new InvalidValueException("max_tokens", "the output limit is max_tokens or max_completion_tokens");
        }
    }

    /** The controls every request had before choices, log probabilities and pass-through fields. */
    public GenerationParams(Double temperature, Double topP, Integer maxTokens, List<String> stop, Long seed, String user,
                            ResponseFormat responseFormat, Double presencePenalty, Double frequencyPenalty) {
        this(temperature, topP, maxTokens, stop, seed, user, responseFormat, presencePenalty, frequencyPenalty, null, null, null, Map.of(),
                null);
    }

    private static void inRange(String param, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw new InvalidValueException(param, param + " must be between " + fmt(min) + " and " + fmt(max));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** How many choices are asked for (1 unless {@code n} says more). */
    public int choices() {
        return n == null ? 1 : n;
    }

    public GenerationParams withMaxTokens(Integer value) {
        return new GenerationParams(temperature, topP, value, stop, seed, user, responseFormat, presencePenalty, frequencyPenalty,
                n, logprobs, topLogprobs, extra, maxTokensField);
    }

    public GenerationParams withExtra(Map<String, String> value) {
        return new GenerationParams(temperature, topP, maxTokens, stop, seed, user, responseFormat, presencePenalty, frequencyPenalty,
                n, logprobs, topLogprobs, value, maxTokensField);
    }
}
