package ai.meridian.application.service;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.pii.PiiMasker;
import ai.meridian.domain.pii.PiiVault;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where personal data may not go, and what comes back. Prompts (every message's text and text parts, with the fields
 * of their own such parts carry, tool-call arguments as JSON, their numbers included, tool results, reasoning sent back)
 * bound for an untrusted backend, and queries bound for an untrusted
 * search engine, are masked with placeholders; an answer that echoes a placeholder is restored for the caller
 * (unless {@code restoreAnswers} is off). Which backends are untrusted is configuration; the local extractive
 * answerer never is.
 */
public final class PiiPolicy {
    public static final String EVERY_BACKEND = "*";

    private final PiiMasker masker;
    private final Set<String> untrustedBackends;
    private final boolean restoreAnswers;
    private final boolean maskWebSearch;

    public PiiPolicy(PiiMasker masker, Set<String> untrustedBackends, boolean restoreAnswers, boolean maskWebSearch) {
        this.masker = Objects.requireNonNull(masker, "masker");
        this.untrustedBackends = Set.copyOf(untrustedBackends);
        this.restoreAnswers = restoreAnswers;
        this.maskWebSearch = maskWebSearch;
    }

    public PiiMasker masker() {
        return masker;
    }

    public boolean untrusted(String backendId, boolean generatesText) {
        return generatesText && (untrustedBackends.contains(EVERY_BACKEND) || untrustedBackends.contains(backendId));
    }

    public boolean restoreAnswers() {
        return restoreAnswers;
    }

    public boolean maskWebSearch() {
        return maskWebSearch;
    }

    /** The messages with their personal data replaced by {@code vault}'s placeholders (unchanged messages are the same objects). */
    public List<ChatMessage> mask(List<ChatMessage> messages, PiiVault vault) {
        List<ChatMessage> masked = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            masked.add(mask(m, vault));
        }
        return masked;
    }

    ChatMessage mask(ChatMessage m, PiiVault vault) {
        ChatMessage out = m;
        if (!m.parts().isEmpty()) {
            List<ContentPart> parts = new ArrayList<>(m.parts().size());
            boolean changed = false;
            for (ContentPart part : m.parts()) {
                if (part.isText()) {
                    String text = masker.mask(part.text(), vault);
                    // A text part with fields of its own (cache_control, ...) is forwarded as its whole object: mask that too.
                    String json = part.json() == null ? null : masker.maskJson(part.json(), vault);
                    changed |= !text.equals(part.text()) || !java.util.Objects.equals(json, part.json());
                    parts.add(new ContentPart(ContentPart.TEXT, text, json));
                } else {
                    parts.add(part); // media are forwarded as the client wrote them
                }
            }
            if (changed) {
                out = out.withParts(parts);
            }
        } else if (!m.content().isEmpty()) {
            String text = masker.mask(m.content(), vault);
            if (!text.equals(m.content())) {
                out = out.withContent(text);
            }
        }
        if (!m.toolCalls().isEmpty()) {
            List<ToolCall> calls = new ArrayList<>(m.toolCalls().size());
            boolean changed = false;
            for (ToolCall call : m.toolCalls()) {
                String arguments = masker.maskJson(call.arguments(), vault);
                changed |= !arguments.equals(call.arguments());
                calls.add(new ToolCall(call.id(), call.type(), call.name(), arguments));
            }
            if (changed) {
                out = out.withToolCalls(calls);
            }
        }
        if (m.functionCall() != null || m.reasoningContent() != null && !m.reasoningContent().isEmpty()) {
            ToolCall function = m.functionCall() == null ? null : new ToolCall(m.functionCall().id(), m.functionCall().type(),
                    m.functionCall().name(), masker.maskJson(m.functionCall().arguments(), vault));
            String reasoning = m.reasoningContent() == null ? null : masker.mask(m.reasoningContent(), vault);
            if (!Objects.equals(function, m.functionCall()) || !Objects.equals(reasoning, m.reasoningContent())) {
                out = new ChatMessage(out.role(), out.parts().isEmpty() ? out.content() : null, out.parts(), out.contentNull(), out.name(),
                        out.toolCalls(), function, out.toolCallId(), reasoning, out.extra());
            }
        }
        return out;
    }

    /** The answer with {@code vault}'s placeholders restored in its text, reasoning, refusal and tool-call arguments. */
    public Completion restore(Completion completion, PiiVault vault) {
        List<Choice> choices = new ArrayList<>(completion.choices().size());
        for (Choice c : completion.choices()) {
            List<ToolCall> calls = c.toolCalls().stream().map(t -> restore(t, vault)).toList();
            choices.add(new Choice(c.index(), c.content() == null ? null : vault.restore(c.content()), vault.restore(c.reasoningContent()),
                    calls, c.functionCall() == null ? null : restore(c.functionCall(), vault),
                    c.refusal() == null ? null : vault.restore(c.refusal()), c.logprobs(), c.finishReason(), c.messageExtra(), c.choiceExtra()));
        }
        return new Completion(choices, completion.usage(), completion.upstreamModel(), completion.systemFingerprint(),
                completion.serviceTier(), completion.extra());
    }

    private static ToolCall restore(ToolCall call, PiiVault vault) {
        return new ToolCall(call.id(), call.type(), call.name(), vault.restore(call.arguments()));
    }
}
