package ai.meridian.application.port.out;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import java.util.List;
import java.util.Objects;

/** One call to a backend: the model name the backend knows, the prompt and the controls. */
public record BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages,
                          GenerationParams params, String traceparent) {

    public BackendCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        messages = List.copyOf(messages);
        params = params == null ? GenerationParams.DEFAULTS : params;
    }
}
