package ai.meridian.application.port.in;

import ai.meridian.application.port.out.Cancellable;
import java.util.concurrent.CompletableFuture;

/**
 * A client that lost a streamed answer wants the rest of it (the events after the last one it received, then the live
 * rest), or wants a stream it started stopped.
 */
public interface ResumeStreamUseCase {

    /**
     * Follows stream {@code command.streamId()} of the caller's tenant: the observer hears the start (event 1), then the
     * events after {@code command.afterEvent()}, then the live rest, each with its number; it writes nothing numbered
     * {@code afterEvent} or lower (a stream the client had whole ends with its last event once more). A stream that is
     * not known to this tenant (never, expired, another tenant's) is {@code onError} with a 404 before any start; events
     * no longer kept are a 410 ({@code stream_events_expired}); a buffer failure is an error event. Cancelling detaches
     * this follower only: the stream goes on.
     */
    Cancellable resume(ResumeCommand command, NumberedStreamObserver observer);

    /**
     * Stops stream {@code streamId} of the caller's tenant (its generation and upstream call) for everyone following it;
     * false when it is not known. Stopping is a write: a read-only key is refused (403), and may only detach.
     */
    CompletableFuture<Boolean> stop(CallerContext caller, String streamId);

    /** Which stream, whose, and the number of the last event the client has. */
    record ResumeCommand(CallerContext caller, String streamId, long afterEvent) {
        public ResumeCommand {
            java.util.Objects.requireNonNull(caller, "caller");
            if (streamId == null || streamId.isBlank()) {
                throw new IllegalArgumentException("a stream id is required");
            }
            if (afterEvent < 0) {
                throw new IllegalArgumentException("an event number is not negative");
            }
        }
    }
}
