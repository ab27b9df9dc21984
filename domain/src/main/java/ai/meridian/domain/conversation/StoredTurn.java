package ai.meridian.domain.conversation;

import java.util.Objects;

/** A turn with its place in the conversation: sequence numbers start at 1 and have no gaps. */
public record StoredTurn(int seq, Turn turn) {

    public StoredTurn {
        if (seq < 1) {
            throw new IllegalArgumentException("turn sequence numbers start at 1");
        }
        Objects.requireNonNull(turn, "turn");
    }
}
