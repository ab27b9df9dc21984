package ai.meridian.application.port.in;

import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;

/**
 * Receives a streamed answer: {@link #onStart} once, deltas, then {@link #onFinish}; or
 * {@link #onError} at any point (before {@code onStart} it means nothing was produced).
 * Deltas never carry a finish reason: every choice's reason arrives with {@link #onFinish}, after the turn
 * is recorded. Calls are serial; do not block in them.
 */
public interface ChatStreamObserver {

    void onStart(StreamStart start);

    void onDelta(Delta delta);

    void onFinish(StreamEnd end);

    void onError(GatewayError error);
}
