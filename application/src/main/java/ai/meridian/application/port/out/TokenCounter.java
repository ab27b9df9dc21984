package ai.meridian.application.port.out;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ToolCall;
import java.util.List;

/** Counts tokens the way model backends bill them, for usage a backend did not report and for budgets. */
public interface TokenCounter {

    int count(String text);

    /** Tokens of a prompt in chat form, including the few each message costs for its framing. */
    default int countMessages(List<ChatMessage> messages) {
        int total = 3;
        for (ChatMessage m : messages) {
            total += countMessage(m);
        }
        return total;
    }

    /** One message with its framing: text, tool calls (name and arguments) and the tool-call id it answers. */
    default int countMessage(ChatMessage m) {
        int total = 4 + count(m.content());
        for (ToolCall call : m.toolCalls()) {
            total += 3 + count(call.name()) + count(call.arguments());
        }
        if (m.functionCall() != null) {
            total += 3 + count(m.functionCall().name()) + count(m.functionCall().arguments());
        }
        if (m.toolCallId() != null) {
            total += 2;
        }
        return total;
    }
}
