package ai.meridian.application.port.in;

import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.response.StoredResponse;

/**
 * Receives a streamed response: {@link #onStart} once, deltas, then {@link #onFinish} with the response as it is kept
 * (called once it is stored, so the end of a stream still means "stored"); or {@link #onError} at any point (before
 * {@code onStart} it means nothing was produced). Calls are serial; do not block in them.
 */
public interface ResponseStreamObserver {

    void onStart(ResponseStart start);

    void onDelta(Delta delta);

    void onFinish(StreamEnd end, StoredResponse response);

    void onError(GatewayError error);
}
