package ai.meridian.adapter.in.responses;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.ToolCall;
import java.util.List;

/**
 * One item of a Responses API {@code input}, read but not yet folded into chat messages: a message, a function call
 * the model made, a function's output, reasoning, a reference to a stored item, or an item that carries nothing the
 * model reads (a web search call: its sources are already in the answer it led to).
 */
sealed interface InputItem {

    /** A message as it is (user, system, or an assistant's text). */
    record Message(ChatMessage message) implements InputItem {
    }

    /** A call the model made; consecutive calls and the assistant text before them make one assistant message. */
    record Call(ToolCall call) implements InputItem {
    }

    /** A function's result for the call {@code callId}: text, or parts. */
    record Output(String callId, String text, List<ContentPart> parts) implements InputItem {
    }

    /** Reasoning, which goes with the assistant message that follows it. */
    record Reasoning(String text) implements InputItem {
    }

    /** An item of a stored response, by id. */
    record Reference(String id, String path) implements InputItem {
    }

    /** Nothing for the model. */
    record Skip() implements InputItem {
    }
}
