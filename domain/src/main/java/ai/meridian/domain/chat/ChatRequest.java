package ai.meridian.domain.chat;

import ai.meridian.domain.retrieval.GroundingRequest;
import java.util.List;
import java.util.Objects;

/**
 * A validated chat request: the public model asked for, the messages, the generation controls, the tools
 * the model may call, and what it asks of grounding.
 *
 * <p>{@code textCompletion} marks a request for raw text continuation (the legacy Completions API): its messages are
 * then user messages, one per prompt, sent to the model as they are, with no chat template; each prompt gets its own
 * {@code n} choices. Everything the core does with messages (counting, routing, grounding) works on them unchanged.
 */
public record ChatRequest(String model, List<ChatMessage> messages, GenerationParams params, boolean stream, boolean includeUsage,
                          GroundingRequest grounding, ToolSpec tools, boolean textCompletion) {

    public ChatRequest(String model, List<ChatMessage> messages, GenerationParams params, boolean stream, boolean includeUsage,
                       GroundingRequest grounding, ToolSpec tools) {
        this(model, messages, params, stream, includeUsage, grounding, tools, false);
    }

    public ChatRequest(String model, List<ChatMessage> messages, GenerationParams params, boolean stream, boolean includeUsage) {
        this(model, messages, params, stream, includeUsage, GroundingRequest.AS_CONFIGURED, ToolSpec.NONE);
    }

    public ChatRequest(String model, List<ChatMessage> messages, GenerationParams params, boolean stream, boolean includeUsage,
                       GroundingRequest grounding) {
        this(model, messages, params, stream, includeUsage, grounding, ToolSpec.NONE);
    }

    public ChatRequest {
        if (model == null || model.isBlank()) {
            throw new InvalidValueException("model", "model is required");
        }
        if (model.length() > 256) {
            throw new InvalidValueException("model", "model name is too long");
        }
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new InvalidValueException("messages", "messages must contain at least one message");
        }
        messages = List.copyOf(messages);
        params = params == null ? GenerationParams.DEFAULTS : params;
        grounding = grounding == null ? GroundingRequest.AS_CONFIGURED : grounding;
        tools = tools == null ? ToolSpec.NONE : tools;
        if (textCompletion) {
            for (ChatMessage m : messages) {
                if (m.role() != Role.USER || !m.parts().isEmpty()) {
                    throw new InvalidValueException("prompt", "a text completion's prompts are plain user text");
                }
            }
            if (!tools.isEmpty()) {
                throw new InvalidValueException("tools", "a text completion has no tools");
            }
        }
    }

    /** How many choices the answer has: {@code n}, for each prompt of a text completion. */
    public int choiceCount() {
        return textCompletion ? params.choices() * messages.size() : params.choices();
    }

    /** The newest user message, which routing and retrieval look at. */
    public String lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    public ChatRequest withMessages(List<ChatMessage> replaced) {
        return new ChatRequest(model, replaced, params, stream, includeUsage, grounding, tools, textCompletion);
    }

    public ChatRequest withParams(GenerationParams replaced) {
        return new ChatRequest(model, messages, replaced, stream, includeUsage, grounding, tools, textCompletion);
    }

}
