package ai.meridian.domain.chat;

import java.util.List;

/** Sampling and output controls of a chat request; each is optional (null means "backend default"). */
public record GenerationParams(
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        String user,
        ResponseFormat responseFormat,
        Double presencePenalty,
        Double frequencyPenalty) {

    public static final GenerationParams DEFAULTS =
            new GenerationParams(null, null, null, List.of(), null, null, null, null, null);

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
    }

    private static void inRange(String param, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            throw new InvalidValueException(param, param + " must be between " + fmt(min) + " and " + fmt(max));
        }
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }

    public GenerationParams withMaxTokens(Integer value) {
        return new GenerationParams(temperature, topP, value, stop, seed, user, responseFormat, presencePenalty, frequencyPenalty);
    }
}
