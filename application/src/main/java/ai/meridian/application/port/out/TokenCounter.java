package ai.meridian.application.port.out;

import ai.meridian.domain.chat.ChatMessage;
import java.util.List;

/** Counts tokens the way model backends bill them, for usage a backend did not report and for budgets. */
public interface TokenCounter {

    int count(String text);

    /** Tokens of a prompt in chat form, including the few each message costs for its framing. */
    default int countMessages(List<ChatMessage> messages) {
        int total = 3;
        for (ChatMessage m : messages) {
            total += 4 + count(m.content());
        }
        return total;
    }
}
