package ai.meridian.application.port.out;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.retrieval.SourceDocument;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One call to a backend: the model name the backend knows, the prompt, the controls, the tools the model
 * may call, and the numbered sources grounding put into the prompt (an extractive backend answers from them
 * directly), and the client headers an operator allows to be forwarded (lower-case names; each backend sends
 * those its own configuration names).
 *
 * <p>With {@code textCompletion} the call asks for raw text continuation of {@link #prompts()} (the legacy
 * Completions API): no chat template, no roles. Only backends whose capabilities declare
 * {@code TEXT_COMPLETION} are given such calls.
 */
public record BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages,
                          GenerationParams params, String traceparent, List<SourceDocument> sources, ToolSpec tools,
                          Map<String, String> clientHeaders, boolean textCompletion) {

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

    /** A chat call (not a text completion). */
    public BackendCall(String requestId, String upstreamModel, List<ChatMessage> messages, GenerationParams params, String traceparent,
                       List<SourceDocument> sources, ToolSpec tools, Map<String, String> clientHeaders) {
        this(requestId, upstreamModel, messages, params, traceparent, sources, tools, clientHeaders, false);
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

    /** The same call with other messages (what masking or another wrapper sends instead); everything else kept. */
    public BackendCall withMessages(List<ChatMessage> replaced) {
        return new BackendCall(requestId, upstreamModel, replaced, params, traceparent, sources, tools, clientHeaders, textCompletion);
    }

    /**
     * The raw prompts of a text completion, in order: each user message's text. What the core's stages added as
     * system messages (grounding's numbered sources) goes before each prompt as plain text, separated by a blank line,
     * so a grounded text completion still sees its sources. Empty for a chat call.
     */
    public List<String> prompts() {
        if (!textCompletion) {
            return List.of();
        }
        StringBuilder preamble = new StringBuilder();
        List<String> prompts = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            if (m.role() == Role.USER) {
                prompts.add(m.content());
            } else if (!m.content().isEmpty()) {
                preamble.append(m.content()).append("\n\n");
            }
        }
        if (preamble.length() == 0) {
            return prompts;
        }
        List<String> withPreamble = new ArrayList<>(prompts.size());
        for (String prompt : prompts) {
            withPreamble.add(preamble + prompt);
        }
        return withPreamble;
    }
}
