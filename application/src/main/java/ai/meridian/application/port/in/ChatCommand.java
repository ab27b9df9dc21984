package ai.meridian.application.port.in;

import ai.meridian.domain.chat.ChatRequest;
import java.util.Objects;

/** A chat request together with who asked. */
public record ChatCommand(CallerContext caller, ChatRequest request) {

    public ChatCommand {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(request, "request");
    }
}
