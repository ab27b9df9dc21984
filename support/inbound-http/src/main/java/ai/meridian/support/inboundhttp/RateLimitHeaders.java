package ai.meridian.support.inboundhttp;

import ai.meridian.domain.tenancy.RateLimitStatus.Window;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * OpenAI's rate-limit headers, written from where the core says the caller stands: {@code x-ratelimit-limit-*},
 * {@code x-ratelimit-remaining-*} and {@code x-ratelimit-reset-*} for requests and for tokens, the reset as OpenAI
 * writes it ({@code 20ms}, {@code 1.5s}, {@code 6m0s}). A key without a limit gets none of them.
 */
public final class RateLimitHeaders {
    private RateLimitHeaders() {
    }

    public static void write(RateLimitStatus status, BiConsumer<String, String> header) {
        if (status == null || status.isEmpty()) {
            return;
        }
        status.requests().ifPresent(w -> window("requests", w, header));
        status.tokens().ifPresent(w -> window("tokens", w, header));
    }

    private static void window(String what, Window window, BiConsumer<String, String> header) {
        header.accept("x-ratelimit-limit-" + what, String.valueOf(window.limit()));
        header.accept("x-ratelimit-remaining-" + what, String.valueOf(window.remaining()));
        header.accept("x-ratelimit-reset-" + what, format(window.reset()));
    }

    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long minutes = millis / 60_000;
        long rest = millis % 60_000;
        String seconds = rest % 1000 == 0 ? String.valueOf(rest / 1000) : trim(rest / 1000.0);
        return minutes > 0 ? minutes + "m" + seconds + "s" : seconds + "s";
    }

    private static String trim(double seconds) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", seconds);
        while (s.endsWith("0")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
