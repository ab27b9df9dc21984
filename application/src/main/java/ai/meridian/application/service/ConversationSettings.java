package ai.meridian.application.service;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How conversations behave: each model's context window (by model id, with a default), how many recent
 * turns are loaded at most, when a store call counts as slow in traces, what {@code Retry-After} an outage
 * answers with, and which model (if any) folds dropped turns into a running summary.
 */
public record ConversationSettings(int defaultContextWindowTokens, Map<String, Integer> contextWindowTokens, int maxHistoryTurns,
                                   Duration slowQueryThreshold, Duration retryAfter, Optional<String> summaryModel,
                                   int summaryMaxTokens) {

    public static final ConversationSettings DEFAULTS = new ConversationSettings(8192, Map.of(), 200,
            Duration.ofMillis(200), Duration.ofSeconds(2), Optional.empty(), 512);

    public ConversationSettings {
        if (defaultContextWindowTokens < 256) {
            throw new IllegalArgumentException("the default context window must be at least 256 tokens");
        }
        contextWindowTokens = Map.copyOf(contextWindowTokens);
        contextWindowTokens.forEach((model, tokens) -> {
            if (tokens < 256) {
                throw new IllegalArgumentException("model '" + model + "': context-window-tokens must be at least 256");
            }
        });
        if (maxHistoryTurns < 1) {
            throw new IllegalArgumentException("max-history-turns must be at least 1");
        }
        Objects.requireNonNull(slowQueryThreshold, "slowQueryThreshold");
        Objects.requireNonNull(retryAfter, "retryAfter");
        summaryModel = summaryModel == null ? Optional.empty() : summaryModel.filter(m -> !m.isBlank());
        if (summaryMaxTokens < 16) {
            throw new IllegalArgumentException("summary max-tokens must be at least 16");
        }
    }

    public int contextWindowFor(String modelId) {
        return contextWindowTokens.getOrDefault(modelId, defaultContextWindowTokens);
    }
}
