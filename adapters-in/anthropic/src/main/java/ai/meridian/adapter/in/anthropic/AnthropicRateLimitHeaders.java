package ai.meridian.adapter.in.anthropic;

import ai.meridian.domain.tenancy.RateLimitStatus.Window;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.time.Instant;
import java.util.function.BiConsumer;

/**
 * Anthropic's rate-limit headers, from where the core says the caller stands: {@code anthropic-ratelimit-requests-*}
 * and {@code anthropic-ratelimit-tokens-*} ({@code -limit}, {@code -remaining}, and {@code -reset} as an RFC 3339
 * time). A key without a limit gets none of them.
 */
final class AnthropicRateLimitHeaders {
    private AnthropicRateLimitHeaders() {
    }

    static void write(RateLimitStatus status, BiConsumer<String, String> header) {
        if (status == null || status.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        status.requests().ifPresent(w -> window("requests", w, now, header));
        status.tokens().ifPresent(w -> window("tokens", w, now, header));
    }

    private static void window(String what, Window window, Instant now, BiConsumer<String, String> header) {
        header.accept("anthropic-ratelimit-" + what + "-limit", String.valueOf(window.limit()));
        header.accept("anthropic-ratelimit-" + what + "-remaining", String.valueOf(window.remaining()));
        header.accept("anthropic-ratelimit-" + what + "-reset", now.plus(window.reset()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    }
}
