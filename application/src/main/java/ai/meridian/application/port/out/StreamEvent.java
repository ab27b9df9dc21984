package ai.meridian.application.port.out;

import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import java.util.Objects;

/**
 * One event of a streamed answer as a client receives it, whatever its protocol: the start, a piece, the end, or the
 * error that ended it. A stream buffer keeps them numbered 1, 2, ... so that a client who lost its connection can
 * have the ones it missed again.
 */
public sealed interface StreamEvent {

    /** True for the last event of a stream. */
    default boolean last() {
        return false;
    }

    record Start(StreamStart start) implements StreamEvent {
        public Start {
            Objects.requireNonNull(start, "start");
        }
    }

    record Piece(Delta delta) implements StreamEvent {
        public Piece {
            Objects.requireNonNull(delta, "delta");
        }
    }

    record End(StreamEnd end) implements StreamEvent {
        public End {
            Objects.requireNonNull(end, "end");
        }

        @Override
        public boolean last() {
            return true;
        }
    }

    record Failed(GatewayError error) implements StreamEvent {
        public Failed {
            Objects.requireNonNull(error, "error");
        }

        @Override
        public boolean last() {
            return true;
        }
    }
}
