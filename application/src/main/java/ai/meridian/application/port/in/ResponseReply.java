package ai.meridian.application.port.in;

import ai.meridian.domain.response.StoredResponse;
import java.util.Objects;

/** A response answered whole: the response as kept (or as it would be kept, with {@code store} off) and the chat reply it came from. */
public record ResponseReply(StoredResponse response, ChatReply reply, boolean stored) {

    public ResponseReply {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(reply, "reply");
    }
}
