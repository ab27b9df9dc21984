package ai.meridian.application.port.in;

import ai.meridian.domain.retrieval.Citation;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Sent once, before the first delta of a stream: what every chunk carries, who is serving, and what the
 * first chunk carries besides (sources, conversation, notices).
 */
public record StreamStart(String id, long created, String model, ServedBy servedBy,
                          List<Citation> citations, Optional<String> conversationId, List<String> notices) {

    public StreamStart {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(servedBy, "servedBy");
        citations = citations == null ? List.of() : List.copyOf(citations);
        conversationId = conversationId == null ? Optional.empty() : conversationId;
        notices = notices == null ? List.of() : List.copyOf(notices);
    }
}
