package ai.meridian.adapter.in.responses;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds Responses API input items into chat messages: an assistant's text and the function calls after it make one
 * assistant message, as chat carries them; reasoning joins the assistant message that follows; each function output is
 * a tool message. References must have been resolved before.
 */
final class InputFolding {
    private InputFolding() {
    }

    static List<ChatMessage> fold(List<InputItem> items) {
        List<ChatMessage> messages = new ArrayList<>(items.size());
        List<ToolCall> calls = new ArrayList<>();
        StringBuilder reasoning = new StringBuilder();
        ChatMessage assistantBase = null;
        for (InputItem item : items) {
            if (item instanceof InputItem.Reasoning r) {
                if (assistantBase != null || !calls.isEmpty()) {
                    messages.add(assistant(assistantBase, calls, reasoning));
                    assistantBase = null;
                    calls = new ArrayList<>();
                    reasoning.setLength(0);
                }
                if (reasoning.length() > 0 && !r.text().isEmpty()) {
                    reasoning.append("\n\n");
                }
                reasoning.append(r.text());
            } else if (item instanceof InputItem.Call c) {
                calls.add(c.call());
            } else if (item instanceof InputItem.Message m && m.message().role() == Role.ASSISTANT) {
                if (assistantBase != null || !calls.isEmpty()) {
                    messages.add(assistant(assistantBase, calls, reasoning));
                    calls = new ArrayList<>();
                    reasoning.setLength(0);
                }
                assistantBase = m.message();
            } else if (item instanceof InputItem.Message m) {
                if (assistantBase != null || !calls.isEmpty() || reasoning.length() > 0) {
                    messages.add(assistant(assistantBase, calls, reasoning));
                    assistantBase = null;
                    calls = new ArrayList<>();
                    reasoning.setLength(0);
                }
                messages.add(m.message());
            } else if (item instanceof InputItem.Output o) {
                if (assistantBase != null || !calls.isEmpty() || reasoning.length() > 0) {
                    messages.add(assistant(assistantBase, calls, reasoning));
                    assistantBase = null;
                    calls = new ArrayList<>();
                    reasoning.setLength(0);
                }
                ChatMessage.Builder tool = ChatMessage.builder(Role.TOOL).toolCallId(o.callId());
                messages.add(o.parts().isEmpty() ? tool.content(o.text()).build() : tool.parts(o.parts()).build());
            } else if (item instanceof InputItem.Reference ref) {
                throw new IllegalStateException("unresolved item reference " + ref.id());
            }
        }
        if (assistantBase != null || !calls.isEmpty() || reasoning.length() > 0) {
            messages.add(assistant(assistantBase, calls, reasoning));
        }
        return messages;
    }

    /** The assistant message of a turn: its text (none when it only called functions), calls and reasoning. */
    private static ChatMessage assistant(ChatMessage base, List<ToolCall> calls, StringBuilder reasoning) {
        ChatMessage.Builder message = ChatMessage.builder(Role.ASSISTANT);
        if (base == null) {
            message.contentNull(!calls.isEmpty()).content(calls.isEmpty() ? "" : null);
        } else {
            message.content(base.parts().isEmpty() ? base.content() : null).parts(base.parts()).extra(base.extra());
        }
        message.toolCalls(calls);
        if (reasoning.length() > 0) {
            message.reasoningContent(reasoning.toString());
        }
        return message.build();
    }
}
