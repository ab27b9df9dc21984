package ai.meridian.domain.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a chat, with everything a client can put in one:
 * <ul>
 * <li>{@code content}: the message's text (for a message sent as parts, its text parts joined by newlines;
 *     "" when there is none), which token counting, retrieval and stored conversations read;</li>
 * <li>{@code parts}: the content parts when the client sent an array (text, images, audio, files), else empty;</li>
 * <li>{@code contentNull}: the client sent no content at all (an assistant message that only calls tools);</li>
 * <li>{@code name}: the participant's name (or, for the legacy {@code function} role, the function's);</li>
 * <li>{@code toolCalls} (assistant): the tool calls the model made; {@code functionCall} (assistant): the legacy
 *     single function call;</li>
 * <li>{@code toolCallId} (tool): the call this message answers;</li>
 * <li>{@code reasoningContent} (assistant): reasoning a client sends back (DeepSeek's thinking with tools), or null;</li>
 * <li>{@code extra}: any other field of the message ({@code refusal}, DeepSeek's {@code prefix}, {@code audio}, ...)
 *     as raw JSON, forwarded verbatim.</li>
 * </ul>
 */
public record ChatMessage(Role role, String content, List<ContentPart> parts, boolean contentNull, String name,
                          List<ToolCall> toolCalls, ToolCall functionCall, String toolCallId, String reasoningContent,
                          Map<String, String> extra) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        parts = parts == null ? List.of() : List.copyOf(parts);
        if (!parts.isEmpty()) {
            content = joinedText(parts);
        }
        if (content == null) {
            content = "";
        }
        if (name != null && (name.isEmpty() || name.length() > 64)) {
            throw new InvalidValueException("name", "name must be 1 to 64 characters");
        }
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        extra = RawFields.copy(extra);
        if (role != Role.ASSISTANT && (!toolCalls.isEmpty() || functionCall != null)) {
            throw new InvalidValueException("tool_calls", "only assistant messages carry tool calls");
        }
        if (role != Role.ASSISTANT && reasoningContent != null) {
            throw new InvalidValueException("reasoning_content", "only assistant messages carry reasoning");
        }
        if (role == Role.TOOL) {
            if (toolCallId == null || toolCallId.isEmpty()) {
                throw new InvalidValueException("tool_call_id", "a tool message needs the tool_call_id of the call it answers");
            }
        } else if (toolCallId != null) {
            throw new InvalidValueException("tool_call_id", "only tool messages have a tool_call_id");
        }
        if (role == Role.FUNCTION && name == null) {
            throw new InvalidValueException("name", "a function message needs the function's name");
        }
        if (contentNull && (role != Role.ASSISTANT || !parts.isEmpty() || !content.isEmpty())) {
            throw new InvalidValueException("content", "only an assistant message may come without content");
        }
    }

    /** A plain text message with an optional participant name. */
    public ChatMessage(Role role, String content, String name) {
        this(role, Objects.requireNonNull(content, "content"), List.of(), false, name, List.of(), null, null, null, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content, null);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content, null);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content, null);
    }

    /** An assistant message that calls tools; {@code content} may be null (no text besides the calls). */
    public static ChatMessage assistantToolCalls(String content, List<ToolCall> calls) {
        return new ChatMessage(Role.ASSISTANT, content, List.of(), content == null, null, calls, null, null, null, Map.of());
    }

    /** A tool's result for the call {@code toolCallId}. */
    public static ChatMessage toolResult(String toolCallId, String content) {
        return new ChatMessage(Role.TOOL, content, List.of(), false, null, List.of(), null, toolCallId, null, Map.of());
    }

    /** True when the message carries parts other than text (images, audio, files). */
    public boolean hasMedia() {
        for (ContentPart part : parts) {
            if (!part.isText()) {
                return true;
            }
        }
        return false;
    }

    /** True when an assistant message calls a tool (either form). */
    public boolean callsTools() {
        return !toolCalls.isEmpty() || functionCall != null;
    }

    /** The same message with other text (parts collapse to the text): what grounding and masking produce. */
    public ChatMessage withContent(String text) {
        return new ChatMessage(role, text, List.of(), false, name, toolCalls, functionCall, toolCallId, reasoningContent, extra);
    }

    /** The same message with other parts; its text follows them. */
    public ChatMessage withParts(List<ContentPart> replaced) {
        return new ChatMessage(role, null, replaced, false, name, toolCalls, functionCall, toolCallId, reasoningContent, extra);
    }

    /** The same message with other tool calls. */
    public ChatMessage withToolCalls(List<ToolCall> replaced) {
        return new ChatMessage(role, content, parts, contentNull, name, replaced, functionCall, toolCallId, reasoningContent, extra);
    }

    /** The same message with {@code extra} replaced. */
    public ChatMessage withExtra(Map<String, String> replaced) {
        return new ChatMessage(role, content, parts, contentNull, name, toolCalls, functionCall, toolCallId, reasoningContent, replaced);
    }

    private static String joinedText(List<ContentPart> parts) {
        List<String> texts = new ArrayList<>(parts.size());
        for (ContentPart part : parts) {
            if (part.isText()) {
                texts.add(part.text());
            }
        }
        return String.join("\n", texts);
    }

    /** Builds a message field by field, as a request parser reads it. */
    public static Builder builder(Role role) {
        return new Builder(role);
    }

    public static final class Builder {
        private final Role role;
        private String content;
        private List<ContentPart> parts = List.of();
        private boolean contentNull;
        private String name;
        private List<ToolCall> toolCalls = List.of();
        private ToolCall functionCall;
        private String toolCallId;
        private String reasoningContent;
        private Map<String, String> extra = Map.of();

        private Builder(Role role) {
            this.role = role;
        }

        public Builder content(String value) {
            this.content = value;
            return this;
        }

        public Builder parts(List<ContentPart> value) {
            this.parts = value;
            return this;
        }

        public Builder contentNull(boolean value) {
            this.contentNull = value;
            return this;
        }

        public Builder name(String value) {
            this.name = value;
            return this;
        }

        public Builder toolCalls(List<ToolCall> value) {
            this.toolCalls = value;
            return this;
        }

        public Builder functionCall(ToolCall value) {
            this.functionCall = value;
            return this;
        }

        public Builder toolCallId(String value) {
            this.toolCallId = value;
            return this;
        }

        public Builder reasoningContent(String value) {
            this.reasoningContent = value;
            return this;
        }

        public Builder extra(Map<String, String> value) {
            this.extra = value;
            return this;
        }

        public ChatMessage build() {
            return new ChatMessage(role, content, parts, contentNull, name, toolCalls, functionCall, toolCallId, reasoningContent, extra);
        }
    }
}
