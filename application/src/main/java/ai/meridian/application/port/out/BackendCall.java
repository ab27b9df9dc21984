package ai.meridian.application.port.out;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.retrieval.SourceDocument;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One call to a backend: the model name the backend knows, the prompt, the controls, the tools the model
 * may call, and the numbered sources grounding put into the prompt (an extractive backend answers from them
 * directly), and the client headers an operator allows to be forwarded (lower-case names; each backend sends
 * those its own configuration names).
 */
public record BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages,
                          GenerationParams params, String traceparent, List<SourceDocument> sources, ToolSpec tools,
                          Map<String, String> clientHeaders) {

    public BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages, GenerationParams params, String traceparent) {
        this(requestId, upstreamModel, messages, params, traceparent, List.of(), ToolSpec.NONE);
    }

    public BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages, GenerationParams params, String traceparent,
                       List<SourceDocument> sources) {
        this(requestId, upstreamModel, messages, params, traceparent, sources, ToolSpec.NONE);
    }

    public BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages, GenerationParams params, String traceparent,
                       List<SourceDocument> sources, ToolSpec tools) {
        this(requestId, upstreamModel, messages, params, traceparent, sources, tools, Map.of());
    }

    public BackendCall {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        messages = List.copyOf(messages);
        params = params == null ? GenerationParams.DEFAULTS : params;
        sources = sources == null ? List.of() : List.copyOf(sources);
        tools = tools == null ? ToolSpec.NONE : tools;
        clientHeaders = clientHeaders == null ? Map.of() : Map.copyOf(clientHeaders);
    }
}
