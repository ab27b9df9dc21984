package ai.meridian.application.port.out;

import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import java.util.Optional;

/**
 * Hears a streamed answer: zero or more non-empty deltas, then exactly one of {@link #onComplete}
 * or {@link #onError}. Calls come one at a time, possibly from an I/O thread: do not block in them.
 */
public interface BackendStreamListener {

    void onDelta(Delta delta);

    void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel);

    void onError(Failure failure);
}
