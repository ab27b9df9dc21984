package ai.meridian.domain.fallback;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One failed attempt: its kind, a message safe to show to operators (and, for client errors, to
 * the client), the upstream status if any, and the backend's Retry-After if it sent one.
 */
public record Failure(FailureKind kind, String message, int upstreamStatus, Optional<Duration> retryAfter) {

    public Failure {
        Objects.requireNonNull(kind, "kind");
        message = message == null || message.isBlank() ? kind.name().toLowerCase() : message;
        retryAfter = retryAfter == null ? Optional.empty() : retryAfter;
    }

    public static Failure of(FailureKind kind, String message) {
        return new Failure(kind, message, 0, Optional.empty());
    }

    public static Failure ofStatus(int status, String message, Duration retryAfter) {
        return new Failure(FailureKind.ofHttpStatus(status), message, status, Optional.ofNullable(retryAfter));
    }
}
