package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.in.ServedBy;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.Optional;
import java.util.function.BiConsumer;

/** The headers every chat answer carries, whichever HTTP path wrote it: request id, who served it, the conversation, rate limits. */
public final class AnswerHeaders {
    /** Request header that names the conversation; the response carries the id under the same name. */
    public static final String CONVERSATION_HEADER = "x-conversation-id";
    static final String BACKEND = "x-meridian-backend";
    static final String FALLBACK_TIER = "x-meridian-fallback-tier";
    /** On a resumable stream's head: the id to resume it by (the completion id every chunk carries). */
    public static final String STREAM_ID = "x-meridian-stream-id";
    /** Trailer of a stream that another backend continued after the first one failed mid-stream. */
    public static final String MID_STREAM_FALLBACK = "x-meridian-mid-stream-fallback";

    private AnswerHeaders() {
    }

    public static void write(String requestId, ServedBy servedBy, Optional<String> conversationId, RateLimitStatus rateLimit,
                             BiConsumer<String, String> header) {
        header.accept(RequestIds.HEADER, requestId);
        header.accept(BACKEND, servedBy.backend());
        header.accept(FALLBACK_TIER, String.valueOf(servedBy.tier()));
        conversationId.ifPresent(id -> header.accept(CONVERSATION_HEADER, id));
        RateLimitHeaders.write(rateLimit, header);
    }

    /** Stream heads also tell proxies not to cache or buffer. */
    public static void writeStream(String requestId, ServedBy servedBy, Optional<String> conversationId, RateLimitStatus rateLimit,
                                   BiConsumer<String, String> header) {
        header.accept("cache-control", "no-cache");
        header.accept("x-accel-buffering", "no");
        write(requestId, servedBy, conversationId, rateLimit, header);
    }
}
