package ai.meridian.application.port.in;

import ai.meridian.domain.chat.ChatRequest;
import java.util.Objects;
import java.util.Optional;

/**
 * A request for a response (the Responses API), in the core's terms: who asks; the chat request, whose first
 * {@code instructionCount} messages are the request's instructions (sent, never inherited by a continuation) and the
 * rest its own input; the response it continues ({@code previousResponseId}, as the client wrote it); whether it is
 * kept ({@code store}); whether history that does not fit the model's window may be dropped from the beginning
 * ({@code truncate}); and what the door keeps with it ({@code attributes}, JSON text the core does not read).
 */
public record ResponseCommand(CallerContext caller, ChatRequest request, int instructionCount, Optional<String> previousResponseId,
                              boolean store, boolean truncate, String attributes) {

    public ResponseCommand {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(request, "request");
        if (instructionCount < 0 || instructionCount >= request.messages().size()) {
            throw new IllegalArgumentException("a response request has input besides its instructions");
        }
        previousResponseId = previousResponseId == null ? Optional.empty() : previousResponseId;
        attributes = attributes == null || attributes.isBlank() ? "{}" : attributes;
    }
}
