package ai.meridian.application.port.in;

import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sent once, before the first delta of a stream: what every chunk carries, who is serving, and what the
 * first chunk carries besides (sources, conversation, notices), and where the caller stands against its limits.
 */
public record StreamStart(String id, long created, String model, ServedBy servedBy,
                          List<Citation> citations, Optional<String> conversationId, List<String> notices,
                          RateLimitStatus rateLimit) {

    public StreamStart(String id, long created, String model, ServedBy servedBy, List<Citation> citations,
                       Optional<String> conversationId, List<String> notices) {
        this(id, created, model, servedBy, citations, conversationId, notices, RateLimitStatus.NONE);
    }

    public StreamStart {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(servedBy, "servedBy");
        citations = citations == null ? List.of() : List.copyOf(citations);
        conversationId = conversationId == null ? Optional.empty() : conversationId;
        notices = notices == null ? List.of() : List.copyOf(notices);
        rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
    }
}
