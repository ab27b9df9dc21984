package ai.meridian.application.service;

import java.time.Duration;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * How stored responses behave: how many responses of a chain are read back at most ({@code maxChain}), each model's
 * context window (by the public name a request uses; for {@code truncation: auto}), when a store call counts as slow
 * in traces, and what {@code Retry-After} an outage answers with.
 */
public record ResponseSettings(int maxChain, ToIntFunction<String> contextWindow, Duration slowQueryThreshold, Duration retryAfter) {

    public ResponseSettings {
        if (maxChain < 1) {
            throw new IllegalArgumentException("meridian.responses.max-chain must be at least 1");
        }
        Objects.requireNonNull(contextWindow, "contextWindow");
        Objects.requireNonNull(slowQueryThreshold, "slowQueryThreshold");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }
}
