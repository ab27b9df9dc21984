package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamBufferPort.StreamRecording;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import java.util.concurrent.CompletableFuture;

/**
 * A stream's events as its client receives them: numbered (1 for the start, then one per event), kept in the stream
 * buffer when the stream is resumable (streams are resumable when a resume window is configured and the door numbers
 * its events, {@link NumberedStreamObserver}), and passed to the client while it is attached. Once the client has gone the
 * events still go to the buffer, for the client to resume from. Used under its execution's lock.
 */
final class StreamJournal {
    private final ChatStreamObserver client;
    private final NumberedStreamObserver numbered;
    private final StreamBufferPort buffer;
    private final StreamSettings settings;
    private final String tenant;
    private StreamRecording recording;
    private boolean attached = true;
    private long number;

    StreamJournal(ChatStreamObserver client, StreamBufferPort buffer, StreamSettings settings, String tenant) {
        this.client = client;
        this.numbered = client instanceof NumberedStreamObserver n ? n : null;
        // Only a door that numbers its events gives its clients a way back: other streams end with their client.
        this.buffer = settings.resumable() && numbered != null ? buffer : null;
        this.settings = settings;
        this.tenant = tenant;
    }

    /** True once the stream has started and its events are kept for a client to resume. */
    boolean resumable() {
        return recording != null;
    }

    boolean attached() {
        return attached;
    }

    /** The client has gone: events now go to the buffer only. */
    void detach() {
        attached = false;
    }

    /** Whether someone follows the stream through its buffer now. */
    CompletableFuture<Boolean> readersPresent() {
        return recording == null ? CompletableFuture.completedFuture(false) : recording.readersPresent();
    }

    /** The first event. {@code onStop} runs if a client asks (through the buffer) to stop the stream. */
    void start(StreamStart start, Runnable onStop) {
        if (buffer != null) {
            recording = buffer.record(new StreamKey(tenant, start.id()), settings.limits());
            recording.onStopRequested(onStop);
            if (numbered != null) {
                numbered.onResumable(settings.resumeWindow().toMillis());
            }
        }
        emit(new StreamEvent.Start(start));
    }

    void delta(Delta delta) {
        emit(new StreamEvent.Piece(delta));
    }

    void end(StreamEnd end) {
        emit(new StreamEvent.End(end));
        close();
    }

    /** An error: after the start it is the stream's last event; before it, the client is simply told. */
    void error(GatewayError error, boolean started) {
        if (!started) {
            if (attached) {
                client.onError(error);
            }
            return;
        }
        emit(new StreamEvent.Failed(error));
        close();
    }

    private void close() {
        if (recording != null) {
            recording.close();
        }
    }

    private void emit(StreamEvent event) {
        number++;
        if (recording != null) {
            recording.append(number, event);
        }
        if (!attached) {
            return;
        }
        if (numbered != null) {
            numbered.onEventNumber(number);
        }
        deliver(client, event);
    }

    /** Hands one event to an observer. */
    static void deliver(ChatStreamObserver observer, StreamEvent event) {
        if (event instanceof StreamEvent.Piece piece) {
            observer.onDelta(piece.delta());
        } else if (event instanceof StreamEvent.Start start) {
            observer.onStart(start.start());
        } else if (event instanceof StreamEvent.End end) {
            observer.onFinish(end.end());
        } else if (event instanceof StreamEvent.Failed failed) {
            observer.onError(failed.error());
        }
    }
}
