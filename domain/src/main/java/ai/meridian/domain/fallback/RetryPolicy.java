package ai.meridian.domain.fallback;

import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Retries on the same backend: exponential backoff with full jitter
 * (a uniform delay in [0, min(maxBackoff, initialBackoff * 2^(n-1))]), and a backend's Retry-After
 * honoured when it is no longer than {@code retryAfterCap}; a longer one moves on instead of waiting.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration retryAfterCap) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(2, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || retryAfterCap.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff");
        }
    }

    /**
     * The delay before attempt {@code nextAttempt} (2 for the first retry), or empty when the plan
     * should move on: attempts used up, a failure that is not retried, or a Retry-After over the cap.
     */
    public Optional<Duration> delayBefore(int nextAttempt, Failure failure, RandomGenerator random) {
        if (nextAttempt > maxAttempts || !failure.kind().retriable()) {
            return Optional.empty();
        }
        if (failure.retryAfter().isPresent()) {
            Duration asked = failure.retryAfter().get();
            return asked.compareTo(retryAfterCap) <= 0 ? Optional.of(asked) : Optional.empty();
        }
        long ceiling = initialBackoff.toNanos();
        for (int i = 2; i < nextAttempt && ceiling < maxBackoff.toNanos(); i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, maxBackoff.toNanos());
        return Optional.of(Duration.ofNanos(ceiling == 0 ? 0 : random.nextLong(ceiling + 1)));
    }
}
