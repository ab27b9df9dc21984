package ai.meridian.domain.routing;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.GenerationParams;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a request needs from the route that serves it: capabilities, the prompt's size in tokens (an
 * estimate, 0 when unknown), the output it asks for ({@code maxOutputTokens}, 0 when not said) and the
 * names of the pass-through parameters it sends, which a backend must either forward or refuse.
 */
public record RequestNeeds(Set<Capability> capabilities, int promptTokens, int maxOutputTokens, Set<String> parameters) {
    public static final RequestNeeds NOTHING = new RequestNeeds(Set.of(), 0, 0, Set.of());

    public RequestNeeds {
        capabilities = capabilities == null || capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        if (promptTokens < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
        parameters = parameters == null ? Set.of() : Set.copyOf(new TreeSet<>(Objects.requireNonNull(parameters)));
    }

    /**
     * What {@code request} needs, with {@code messages} as they will be sent (history and grounding included;
     * the prompt size is left at 0: counting tokens costs time, so the caller adds it only where a route has
     * a known context window). Parameters are the pass-through fields and the generation controls that not
     * every backend honours.
     */
    public static RequestNeeds of(ChatRequest request, List<ChatMessage> messages) {
        EnumSet<Capability> needed = EnumSet.noneOf(Capability.class);
        if (request.tools().offered()) {
            needed.add(Capability.TOOLS);
        }
        for (ChatMessage message : messages) {
            for (ContentPart part : message.parts()) {
                switch (part.type()) {
                    case ContentPart.IMAGE_URL:
                        needed.add(Capability.VISION);
                        break;
                    case ContentPart.INPUT_AUDIO:
                        needed.add(Capability.AUDIO);
                        break;
                    case ContentPart.FILE:
                        needed.add(Capability.FILES);
                        break;
                    default:
                        break; // text, and parts such as an assistant's refusal, need nothing of the model
                }
            }
        }
        GenerationParams p = request.params();
        if (p.responseFormat() != null) {
            if ("json_schema".equals(p.responseFormat().type())) {
                needed.add(Capability.JSON_SCHEMA);
            } else if ("json_object".equals(p.responseFormat().type())) {
                needed.add(Capability.JSON_OBJECT);
            }
        }
        if (Boolean.TRUE.equals(p.logprobs())) {
            needed.add(Capability.LOGPROBS);
        }
        if (request.choiceCount() > 1) {
            needed.add(Capability.MULTIPLE_CHOICES);
        }
        if (request.textCompletion()) {
            needed.add(Capability.TEXT_COMPLETION);
        }
        java.util.Set<String> parameters = new java.util.TreeSet<>(p.extra().keySet());
        if (p.seed() != null) {
            parameters.add("seed");
        }
        if (!p.stop().isEmpty()) {
            parameters.add("stop");
        }
        if (p.user() != null) {
            parameters.add("user");
        }
        if (p.presencePenalty() != null) {
            parameters.add("presence_penalty");
        }
        if (p.frequencyPenalty() != null) {
            parameters.add("frequency_penalty");
        }
        if (request.tools().parallelToolCalls().isPresent()) {
            parameters.add("parallel_tool_calls");
        }
        return new RequestNeeds(needed, 0, p.maxTokens() == null ? 0 : p.maxTokens(), parameters);
    }

    public RequestNeeds withPromptTokens(int tokens) {
        return new RequestNeeds(capabilities, tokens, maxOutputTokens, parameters);
    }

    public boolean needs(Capability capability) {
        return capabilities.contains(capability);
    }

    /** True when it needs something a route must declare (so a route nothing is known of cannot take it). */
    public boolean needsDeclared() {
        for (Capability c : capabilities) {
            if (c.mustBeDeclared()) {
                return true;
            }
        }
        return false;
    }
}
