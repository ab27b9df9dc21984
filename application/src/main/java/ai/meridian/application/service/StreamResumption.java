package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.ResumeStreamUseCase;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamBufferPort.StreamFollower;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Resumes streams from their buffer: the start, the events after the one the client had, then the live rest, each
 * with its number; and stops streams on a client's request, on whichever replica generates them (a shared buffer
 * carries the request).
 */
public final class StreamResumption implements ResumeStreamUseCase {
    private final StreamBufferPort buffer;
    private final StreamSettings settings;
    private final GatewayMetrics metrics;

    /** {@code buffer} may be null when streams are not resumable (every resume is then a 404). */
    public StreamResumption(StreamBufferPort buffer, StreamSettings settings, GatewayMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.buffer = settings.resumable() ? buffer : null;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    private static GatewayError notFound(String streamId) {
        return new GatewayError(ErrorKind.NOT_FOUND, "No stream '" + streamId + "' can be resumed: it does not exist, it has expired, "
                + "or it belongs to another tenant.", "stream_id", "stream_not_found", null);
    }

    @Override
    public Cancellable resume(ResumeCommand command, NumberedStreamObserver observer) {
        if (buffer == null) {
            observer.onError(new GatewayError(ErrorKind.NOT_FOUND, "Streams cannot be resumed on this gateway "
                    + "(meridian.streams.resume-window is 0).", "stream_id", "stream_not_found", null));
            return () -> { };
        }
        StreamKey key;
        try {
            key = new StreamKey(command.caller().tenant(), command.streamId());
        } catch (IllegalArgumentException e) {
            observer.onError(notFound(command.streamId().length() > 128 ? command.streamId().substring(0, 128) + "…" : command.streamId()));
            return () -> { };
        }
        return buffer.follow(key, command.afterEvent(), new Follower(observer, command, key));
    }

    @Override
    public CompletableFuture<Boolean> stop(CallerContext caller, String streamId) {
        if (!caller.access().permits(Action.WRITE)) {
            return CompletableFuture.failedFuture(AccessDenied.forbidden(Action.WRITE));
        }
        if (buffer == null || streamId == null || streamId.isBlank() || streamId.length() > 128) {
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> asked;
        try {
            asked = buffer.requestStop(new StreamKey(caller.tenant(), streamId));
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        // A buffer that cannot be asked (Redis away) is the client's 503 to retry, not a server error.
        return asked.handle((stopped, error) -> {
            if (error != null) {
                throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE, "The stream buffer cannot be reached, so stream '" + streamId
                        + "' could not be asked to stop; try again.", null, "stream_buffer_unavailable", Duration.ofSeconds(1)));
            }
            return stopped;
        });
    }

    /** Turns the buffer's events back into observer calls, numbered. */
    private final class Follower implements StreamFollower {
        private final NumberedStreamObserver observer;
        private final ResumeCommand command;
        private final StreamKey key;
        private boolean started;
        private long replayed;
        private boolean counted;

        Follower(NumberedStreamObserver observer, ResumeCommand command, StreamKey key) {
            this.observer = observer;
            this.command = command;
            this.key = key;
        }

        @Override
        public void onEvent(long number, StreamEvent event) {
            if (event instanceof StreamEvent.Start) {
                started = true;
            } else if (!counted) {
                counted = true;
                metrics.streamResumed("ok", replayed);
            }
            replayed++;
            if (event instanceof StreamEvent.Start) {
                observer.onResumable(settings.resumeWindow().toMillis());
            }
            observer.onEventNumber(number);
            StreamJournal.deliver(observer, event);
        }

        @Override
        public void onMissing() {
            metrics.streamResumed("missing", 0);
            observer.onError(notFound(key.streamId()));
        }

        @Override
        public void onTruncated(long firstKept) {
            metrics.streamResumed("expired", 0);
            observer.onError(new GatewayError(ErrorKind.GONE, "The events of stream '" + key.streamId() + "' after event "
                    + command.afterEvent() + " are no longer kept (the oldest kept is event " + firstKept + "); start a new request.",
                    "Last-Event-ID", "stream_events_expired", null));
        }

        @Override
        public void onAbandoned() {
            metrics.streamResumed("abandoned", replayed);
            observer.onError(new GatewayError(ErrorKind.UNAVAILABLE, "The gateway replica that was generating stream '" + key.streamId()
                    + "' stopped before the answer was complete; nothing more will come. Send the request again.", null,
                    "stream_abandoned", null));
        }

        @Override
        public void onLost(String why) {
            metrics.streamResumed("lost", replayed);
            GatewayError error = new GatewayError(ErrorKind.UNAVAILABLE, "The stream's buffer failed while it was being resumed ("
                    + why + "); resume it again.", null, "stream_buffer_unavailable", Duration.ofSeconds(1));
            observer.onError(error);
        }
    }
}
