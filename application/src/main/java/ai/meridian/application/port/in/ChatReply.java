package ai.meridian.application.port.in;

import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.TokenUsage;
import java.util.Objects;

/**
 * A whole answer as the client gets it: the completion id and creation time, the public model name,
 * the completion, usage (reported by the backend or counted) and who served it.
 */
public record ChatReply(String id, long created, String model, Completion completion, TokenUsage usage, ServedBy servedBy) {

    public ChatReply {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(servedBy, "servedBy");
    }
}
