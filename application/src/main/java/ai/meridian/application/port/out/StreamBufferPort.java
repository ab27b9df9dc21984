package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Where the events of streamed answers are kept while they run and for a while after, so that a client that lost its
 * connection can resume: the events it missed, then the live rest, with no gap and no duplicate. Buffers are bounded
 * (events per stream, memory) and expire. With a shared buffer (Redis) a client may resume on another replica than the
 * one generating the answer.
 */
public interface StreamBufferPort {

    /** Starts keeping the events of a new stream; the recording appends them in order. */
    StreamRecording record(StreamKey key, Limits limits);

    /**
     * Delivers event 1 (the start, which is kept whatever the bound), then the events of {@code key} numbered after
     * {@code afterEvent} in order, then each new one as it is appended, until the stream's last event; a follower that
     * already had the last event gets it once more, so that its follow ends. Exactly one terminal call ends a follow
     * (the last event, {@code onMissing}, {@code onTruncated}, {@code onLost}) unless the returned handle cancels first.
     * While it follows, the stream has a reader ({@link StreamRecording#readersPresent}).
     */
    Cancellable follow(StreamKey key, long afterEvent, StreamFollower follower);

    /** Asks whoever is recording {@code key} to stop (the client cancelled); false when no such stream is known. */
    CompletableFuture<Boolean> requestStop(StreamKey key);

    /**
     * How much of a stream is kept: its start and at most {@code maxEvents - 1} of its newest events after it, until
     * {@code keepAfterEnd} after its last event (or {@code maxLifetime} after it began, should its recorder vanish).
     */
    record Limits(int maxEvents, Duration keepAfterEnd, Duration maxLifetime) {
        public Limits {
            if (maxEvents < 2) {
                throw new IllegalArgumentException("a stream buffer keeps at least 2 events");
            }
            if (keepAfterEnd == null || keepAfterEnd.isNegative() || maxLifetime == null || maxLifetime.compareTo(keepAfterEnd) < 0) {
                throw new IllegalArgumentException("keepAfterEnd must not be negative and maxLifetime not shorter");
            }
        }
    }

    /** The writing side of one stream's buffer. Appends come one at a time, in order; none of it blocks. */
    interface StreamRecording {
        /** Keeps event {@code number} (1, 2, ... without gaps). */
        void append(long number, StreamEvent event);

        /** Whether some client follows the stream now (here or, with a shared buffer, on another replica). */
        CompletableFuture<Boolean> readersPresent();

        /** Runs {@code action} once if a client asks to stop the stream ({@link #requestStop}), wherever it asks. */
        void onStopRequested(Runnable action);

        /** The stream will append nothing more: its events are kept for {@code keepAfterEnd}, then dropped. */
        void close();
    }

    /** Hears a followed stream. Calls come one at a time; do not block in them. */
    interface StreamFollower {
        /** Event {@code number}; after an event that is {@link StreamEvent#last()} nothing more comes. */
        void onEvent(long number, StreamEvent event);

        /** No such stream for this tenant: never recorded, expired, or another tenant's. */
        void onMissing();

        /** The events asked for are no longer kept (the buffer's bound dropped them); {@code firstKept} is the oldest kept. */
        void onTruncated(long firstKept);

        /** The buffer failed while following (e.g. Redis went away); the stream may still be resumed later. */
        void onLost(String why);

        /**
         * The stream will not go on: whatever recorded it stopped (its gateway replica died) before the stream's last
         * event, and every event it recorded has been delivered.
         */
        void onAbandoned();
    }
}
