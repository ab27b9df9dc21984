package ai.meridian.domain.routing;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;

/**
 * What routing looks at: the public model, the prompt, a stable key for the caller, and which routes can
 * serve the request at all (capabilities, parameters, context size).
 */
public record RoutingInput(String modelId, List<ChatMessage> messages, String callerKey, RouteCheck check) {

    public RoutingInput(String modelId, List<ChatMessage> messages, String callerKey) {
        this(modelId, messages, callerKey, RouteCheck.ANY);
    }

    public RoutingInput {
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("modelId is required");
        }
        messages = List.copyOf(messages);
        callerKey = callerKey == null ? "" : callerKey;
        check = check == null ? RouteCheck.ANY : check;
    }
}
