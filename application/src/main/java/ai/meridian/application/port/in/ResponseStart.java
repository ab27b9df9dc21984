package ai.meridian.application.port.in;

import ai.meridian.domain.response.ResponseId;
import java.time.Instant;
import java.util.Objects;

/** Sent once, before the first delta of a streamed response: its id, when it was made, and the chat stream's start. */
public record ResponseStart(ResponseId id, Instant createdAt, StreamStart stream) {

    public ResponseStart {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(stream, "stream");
    }
}
