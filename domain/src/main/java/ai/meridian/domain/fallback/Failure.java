package ai.meridian.domain.fallback;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One failed attempt: its kind, a message for operators (logged, never sent to clients whole: it may name
 * addresses and carry the upstream's own text), the upstream status if any, and the backend's Retry-After if
 * it sent one. {@link #summary()} is what a client may be told.
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

    /**
     * What happened, for the client: from the kind and the upstream status class only, never the message
     * (which may carry socket addresses, the upstream's own error text or parser details; it is logged with
     * the request id instead).
     */
    public String summary() {
        String status = upstreamStatus > 0 ? "HTTP " + upstreamStatus / 100 + "xx" : null;
        return switch (kind) {
            case CONNECT -> "could not be reached";
            case TIMEOUT -> "timed out";
            case RATE_LIMITED -> "is rate-limited (HTTP 429)";
            case SERVER_ERROR -> status == null ? "failed" : "answered " + status;
            case STREAM_CUT -> "broke off the answer";
            case PROTOCOL_ERROR -> "answered something that is not a valid completion";
            case CIRCUIT_OPEN -> "is paused after repeated failures (circuit open)";
            case BACKEND_REJECTED -> "refused the gateway's call" + (status == null ? "" : " (" + status + ")");
            case UNSUPPORTED -> "cannot serve this request";
            case CLIENT_ERROR -> "rejected the request as invalid" + (status == null ? "" : " (" + status + ")");
        };
    }
}
