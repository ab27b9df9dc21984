package ai.meridian.domain.routing;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;

/** What routing looks at: the public model, the prompt, and a stable key for the caller. */
public record RoutingInput(String modelId, List<ChatMessage> messages, String callerKey) {

    public RoutingInput {
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("modelId is required");
        }
        messages = List.copyOf(messages);
        callerKey = callerKey == null ? "" : callerKey;
    }
}
