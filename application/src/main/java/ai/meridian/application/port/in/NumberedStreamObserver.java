package ai.meridian.application.port.in;

/**
 * A stream observer that is told each event's number (1 for the start, then one per delta, the end or the error), so
 * that its client can resume the stream after a lost connection ({@link ResumeStreamUseCase}): SSE's {@code id:}, a
 * WebSocket frame's {@code seq}.
 */
public interface NumberedStreamObserver extends ChatStreamObserver {

    /** The number of the event that the next call on this observer delivers. */
    void onEventNumber(long number);

    /**
     * Called once, before the start, when the stream can be resumed: its events are kept and the answer goes on for
     * {@code windowMillis} after the client leaves. Not called for streams that cannot be resumed.
     */
    default void onResumable(long windowMillis) {
    }
}
