package ai.meridian.domain.tenancy;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a caller stands against its per-minute limits, as OpenAI reports it in {@code x-ratelimit-*}
 * headers: for requests and for tokens, the limit, what remains and when it is whole again. A side without
 * a limit is empty.
 */
public record RateLimitStatus(Optional<Window> requests, Optional<Window> tokens) {
    public static final RateLimitStatus NONE = new RateLimitStatus(Optional.empty(), Optional.empty());

    public RateLimitStatus {
        requests = requests == null ? Optional.empty() : requests;
        tokens = tokens == null ? Optional.empty() : tokens;
    }

    public boolean isEmpty() {
        return requests.isEmpty() && tokens.isEmpty();
    }

    /** One limit: its size, what is left (never below zero), and the time until it is whole again. */
    public record Window(long limit, long remaining, Duration reset) {
        public Window {
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be positive");
            }
            remaining = Math.max(0, Math.min(limit, remaining));
            Objects.requireNonNull(reset, "reset");
            reset = reset.isNegative() ? Duration.ZERO : reset;
        }
    }
}
