package ai.meridian.application.port.in;

import java.util.Objects;

/**
 * Which backend answered, at which fallback tier (0 = primary), under which upstream model name, and what the
 * response cache did ({@link CacheStatus#NONE} when it was not involved). An answer from the cache is served by
 * {@link #CACHE_BACKEND}.
 */
public record ServedBy(String backend, int tier, String upstreamModel, CacheStatus cache) {

    public static final String STATIC_BACKEND = "static";
    /** The backend name of answers replayed from the response cache. */
    public static final String CACHE_BACKEND = "cache";

    public ServedBy {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        if (tier < 0) {
            throw new IllegalArgumentException("tier must not be negative");
        }
        cache = cache == null ? CacheStatus.NONE : cache;
    }

    public ServedBy(String backend, int tier, String upstreamModel) {
        this(backend, tier, upstreamModel, CacheStatus.NONE);
    }

    public ServedBy withCache(CacheStatus status) {
        return status == cache ? this : new ServedBy(backend, tier, upstreamModel, status);
    }
}
