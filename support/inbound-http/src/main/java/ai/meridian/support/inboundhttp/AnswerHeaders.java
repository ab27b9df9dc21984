package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.in.CacheStatus;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The headers every chat answer carries, whichever HTTP path or door wrote it: request id, who served it, the
 * conversation, rate limits, and what the response cache did.
 */
public final class AnswerHeaders {
    /** Request header that names the conversation; the response carries the id under the same name. */
    public static final String CONVERSATION_HEADER = "x-conversation-id";
    static final String BACKEND = "x-meridian-backend";
    static final String FALLBACK_TIER = "x-meridian-fallback-tier";
    /** On a resumable stream's head: the id to resume it by (the completion id every chunk carries). */
    public static final String STREAM_ID = "x-meridian-stream-id";
    /** Trailer of a stream that another backend continued after the first one failed mid-stream. */
    public static final String MID_STREAM_FALLBACK = "x-meridian-mid-stream-fallback";
    /** {@code hit}, {@code miss} or {@code bypass}; absent when the response cache was not involved. */
    static final String CACHE = "x-meridian-cache";
    /** On a hit: {@code l1} (this process), {@code l2} (Redis, shared by replicas) or {@code semantic} (a similar earlier prompt). */
    static final String CACHE_LEVEL = "x-meridian-cache-level";
    /** The entry's key (64 hex digits): what the admin API purges one answer by. */
    static final String CACHE_KEY = "x-meridian-cache-key";
    /** On a bypass: why (requested, not_deterministic, disabled, static_model). */
    static final String CACHE_REASON = "x-meridian-cache-reason";
    /** On a semantic hit: the cosine similarity of the earlier prompt. */
    static final String CACHE_SIMILARITY = "x-meridian-cache-similarity";

    private AnswerHeaders() {
    }

    public static void write(String requestId, ServedBy servedBy, Optional<String> conversationId, RateLimitStatus rateLimit,
                             BiConsumer<String, String> header) {
        header.accept(RequestIds.HEADER, requestId);
        header.accept(BACKEND, servedBy.backend());
        header.accept(FALLBACK_TIER, String.valueOf(servedBy.tier()));
        conversationId.ifPresent(id -> header.accept(CONVERSATION_HEADER, id));
        RateLimitHeaders.write(rateLimit, header);
        cache(servedBy.cache(), header);
    }

    /** What the response cache did, as headers (nothing when it was not involved). */
    public static void cache(CacheStatus status, BiConsumer<String, String> header) {
        if (status.outcome() == CacheStatus.Outcome.NONE) {
            return;
        }
        header.accept(CACHE, status.outcome().wireName());
        if (status.hit()) {
            header.accept(CACHE_LEVEL, status.level());
            if (status.level().equals("semantic")) {
                header.accept(CACHE_SIMILARITY, String.format(java.util.Locale.ROOT, "%.4f", status.similarity()));
            }
        }
        if (!status.key().isEmpty()) {
            header.accept(CACHE_KEY, status.key());
        }
        if (!status.reason().isEmpty()) {
            header.accept(CACHE_REASON, status.reason());
        }
    }

    /** Stream heads also tell proxies not to cache or buffer. */
    public static void writeStream(String requestId, ServedBy servedBy, Optional<String> conversationId, RateLimitStatus rateLimit,
                                   BiConsumer<String, String> header) {
        header.accept("cache-control", "no-cache");
        header.accept("x-accel-buffering", "no");
        write(requestId, servedBy, conversationId, rateLimit, header);
    }
}
