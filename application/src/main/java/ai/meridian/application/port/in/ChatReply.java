package ai.meridian.application.port.in;

import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole answer as the client gets it: the completion id and creation time, the public model name,
 * the completion, usage (reported by the backend or counted), who served it, the sources it may cite,
 * the conversation it belongs to, notices about degraded service (e.g. "web search unavailable"), and where the
 * caller stands against its limits (the door writes it as headers).
 */
public record ChatReply(String id, long created, String model, Completion completion, TokenUsage usage, ServedBy servedBy,
                        List<Citation> citations, Optional<String> conversationId, List<String> notices,
                          RateLimitStatus rateLimit) {

    public ChatReply(String id, long created, String model, Completion completion, TokenUsage usage, ServedBy servedBy,
                     List<Citation> citations, Optional<String> conversationId, List<String> notices) {
        this(id, created, model, completion, usage, servedBy, citations, conversationId, notices, RateLimitStatus.NONE);
    }

    public ChatReply {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(servedBy, "servedBy");
        citations = citations == null ? List.of() : List.copyOf(citations);
        conversationId = conversationId == null ? Optional.empty() : conversationId;
        notices = notices == null ? List.of() : List.copyOf(notices);
        rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
    }
}
