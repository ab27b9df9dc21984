package ai.meridian.adapter.out.resilience4j;

import ai.meridian.application.port.out.BackendSettings;
import java.time.Duration;

/**
 * One backend's breaker: it opens when at least {@code failureRateThreshold} percent of the last
 * {@code slidingWindowSize} calls failed (once {@code minimumCalls} were seen), stays open for
 * {@code waitInOpen}, then lets {@code halfOpenCalls} probe calls through to decide.
 */
public record CircuitBreakerSettings(boolean enabled, float failureRateThreshold, int minimumCalls, int slidingWindowSize,
                                     Duration waitInOpen, int halfOpenCalls) {

    public static final CircuitBreakerSettings DEFAULTS = new CircuitBreakerSettings(true, 50f, 10, 20, Duration.ofSeconds(30), 3);

    public CircuitBreakerSettings {
        if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
            throw new IllegalArgumentException("circuit-breaker.failure-rate-threshold must be in (0, 100]");
        }
        if (minimumCalls < 1 || slidingWindowSize < 1 || halfOpenCalls < 1) {
            throw new IllegalArgumentException("circuit-breaker minimum-calls, sliding-window-size and half-open-calls must be positive");
        }
        if (waitInOpen.isNegative() || waitInOpen.isZero()) {
            throw new IllegalArgumentException("circuit-breaker.wait-in-open must be positive");
        }
    }

    /** Reads {@code circuit-breaker.*} keys of a backend's settings, defaults for what is absent. */
    public static CircuitBreakerSettings of(BackendSettings backend) {
        BackendSettings s = new BackendSettings(backend.id(), backend.type(), backend.under("circuit-breaker"));
        return new CircuitBreakerSettings(
                s.flag("enabled", DEFAULTS.enabled),
                (float) s.decimal("failure-rate-threshold", DEFAULTS.failureRateThreshold),
                s.integer("minimum-calls", DEFAULTS.minimumCalls),
                s.integer("sliding-window-size", DEFAULTS.slidingWindowSize),
                s.duration("wait-in-open", DEFAULTS.waitInOpen),
                s.integer("half-open-calls", DEFAULTS.halfOpenCalls));
    }
}
