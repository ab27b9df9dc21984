package ai.meridian.domain.fallback;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The rules of continuing, on another backend, an answer whose backend failed after the client had begun to receive
 * it: whether it can be continued, and the prompt that asks for the rest.
 *
 * <p>Continued are answers of one choice whose client has received text or reasoning and no whole tool call, function
 * call or refusal: text can be taken up where it stopped, a call the client may already be executing cannot. Tool-call
 * fragments are held back while mid-stream fallback is on ({@link HeldToolCalls}), so a failure inside a tool call
 * drops the fragments unseen and the next backend writes the call again, whole. Only the text the client has
 * received goes into the continuation; what the model reasoned is not carried over.
 */
public final class MidStreamContinuation {
    /** What the prompt style asks of the next model, after the partial answer. */
    public static final String INSTRUCTION = "Your previous reply was cut off. Continue it exactly from where it stopped: "
            + "do not repeat anything already written, add no preamble, and keep the same language, format and style.";
    /** An overlap this short is taken as chance, not as the model repeating the end of the partial answer. */
    static final int MIN_OVERLAP = 8;
    /** How much of the continuation's beginning is compared with the end of the partial answer. */
    public static final int OVERLAP_WINDOW = 64;

    private MidStreamContinuation() {
    }

    /** What a stream had delivered to its client when its backend failed. */
    public record Delivered(int choices, String text, boolean callsDelivered, boolean refusalDelivered) {
        public Delivered {
            text = text == null ? "" : text;
            if (choices < 1) {
                throw new IllegalArgumentException("a stream has at least one choice");
            }
        }
    }

    /** Why the answer cannot be continued on another backend, or empty when it can. */
    public static Optional<String> whyNot(Delivered delivered) {
        Objects.requireNonNull(delivered, "delivered");
        if (delivered.choices() > 1) {
            return Optional.of("an answer of several choices is not continued");
        }
        if (delivered.callsDelivered()) {
            return Optional.of("tool calls were already sent");
        }
        if (delivered.refusalDelivered()) {
            return Optional.of("a refusal was being sent");
        }
        return Optional.empty();
    }

    /**
     * The messages that ask for the rest of the answer: the prompt as it was, then the partial answer either as an open
     * assistant turn to write on from, or as a finished turn followed by the request to continue it. With no text
     * delivered (only reasoning, or tool calls held back) the prompt is sent as it was: the answer starts again.
     */
    public static List<ChatMessage> messages(List<ChatMessage> prompt, String deliveredText, ContinuationStyle style) {
        Objects.requireNonNull(style, "style");
        if (deliveredText == null || deliveredText.isEmpty()) {
            return List.copyOf(prompt);
        }
        List<ChatMessage> messages = new ArrayList<>(prompt.size() + 2);
        messages.addAll(prompt);
        if (style == ContinuationStyle.ASSISTANT_PREFIX) {
            messages.add(ChatMessage.builder(Role.ASSISTANT).content(deliveredText).extra(Map.of("prefix", "true")).build());
        } else {
            messages.add(ChatMessage.assistant(deliveredText));
            messages.add(ChatMessage.user(INSTRUCTION));
        }
        return messages;
    }

    /**
     * The messages that ask for the rest of a text completion (the legacy Completions API: a raw prompt, no turns): the
     * text the client had is appended to the prompt (its last user message), so the model writes on from its exact end,
     * as a prefix continuation does. Chat turns or an instruction would become further raw prompts.
     */
    public static List<ChatMessage> textMessages(List<ChatMessage> prompt, String deliveredText) {
        List<ChatMessage> messages = new ArrayList<>(prompt);
        if (deliveredText == null || deliveredText.isEmpty()) {
            return List.copyOf(messages);
        }
        for (int i = messages.size() - 1; i >= 0; i--) {
            ChatMessage m = messages.get(i);
            if (m.role() == Role.USER) {
                messages.set(i, m.withContent(m.content() + deliveredText));
                return List.copyOf(messages);
            }
        }
        throw new IllegalArgumentException("a text completion has a prompt");
    }

    /**
     * How many characters at the start of a continuation repeat the end of the partial answer (a model asked to
     * continue sometimes restates the last words): the longest such overlap of at least {@value #MIN_OVERLAP}
     * characters, else 0. Only for the prompt style; a prefix continuation writes on from the exact point.
     */
    public static int overlap(String delivered, String continuationStart) {
        int max = Math.min(Math.min(delivered.length(), continuationStart.length()), OVERLAP_WINDOW);
        for (int k = max; k >= MIN_OVERLAP; k--) {
            if (delivered.regionMatches(delivered.length() - k, continuationStart, 0, k)) {
                return k;
            }
        }
        return 0;
    }

    /** True once enough of the continuation is known for {@link #overlap} to decide. */
    public static boolean overlapDecidable(String delivered, String continuationStart) {
        return continuationStart.length() >= Math.min(delivered.length(), OVERLAP_WINDOW);
    }
}
