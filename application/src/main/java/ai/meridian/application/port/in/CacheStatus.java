package ai.meridian.application.port.in;

import java.util.Objects;

/**
 * What the response cache did for one answer, for the door to write as headers ({@code x-meridian-cache},
 * {@code x-meridian-cache-level}, {@code x-meridian-cache-key}): nothing ({@link #NONE}: caching is off for the model
 * and tenant, and the client asked nothing of it), a {@code hit} at a level ({@code l1} in this process, {@code l2} in
 * Redis, {@code semantic} for a similar earlier prompt, with its similarity), a {@code miss} (the answer was produced
 * and, when whole, stored), or a {@code bypass} (not read and not written) with the reason. {@code key} is the entry's
 * key (hex), which the admin API purges by; empty when none was computed.
 */
public record CacheStatus(Outcome outcome, String level, String key, String reason, double similarity) {
    public static final CacheStatus NONE = new CacheStatus(Outcome.NONE, "", "", "", 0);

    public enum Outcome {
        NONE, HIT, MISS, BYPASS;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public CacheStatus {
        Objects.requireNonNull(outcome, "outcome");
        level = level == null ? "" : level;
        key = key == null ? "" : key;
        reason = reason == null ? "" : reason;
    }

    public static CacheStatus hit(String level, String key, double similarity) {
        return new CacheStatus(Outcome.HIT, level, key, "", similarity);
    }

    public static CacheStatus miss(String key) {
        return new CacheStatus(Outcome.MISS, "", key, "", 0);
    }

    public static CacheStatus bypass(String reason) {
        return new CacheStatus(Outcome.BYPASS, "", "", reason, 0);
    }

    public boolean hit() {
        return outcome == Outcome.HIT;
    }
}
