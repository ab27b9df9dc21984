package ai.meridian.application.service;

import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A stream buffer for service tests: every event in a list, no bound, no expiry (the adapters' contract tests cover those). */
final class ListStreamBuffer implements StreamBufferPort {
    final Map<StreamKey, Recording> streams = new HashMap<>();

    @Override
    public synchronized StreamRecording record(StreamKey key, Limits limits) {
        Recording recording = new Recording();
        streams.put(key, recording);
        return recording;
    }

    @Override
    public synchronized Cancellable follow(StreamKey key, long afterEvent, StreamFollower follower) {
        Recording recording = streams.get(key);
        if (recording == null) {
            follower.onMissing();
            return () -> { };
        }
        synchronized (recording) {
            for (int i = 0; i < recording.events.size(); i++) {
                long number = i + 1;
                if (number == 1 || number > afterEvent) {
                    follower.onEvent(number, recording.events.get(i));
                }
            }
            if (!recording.events.isEmpty() && recording.events.get(recording.events.size() - 1).last()) {
                return () -> { };
            }
            recording.followers.add(follower);
        }
        return () -> {
            synchronized (recording) {
                recording.followers.remove(follower);
            }
        };
    }

    @Override
    public synchronized CompletableFuture<Boolean> requestStop(StreamKey key) {
        Recording recording = streams.get(key);
        if (recording == null) {
            return CompletableFuture.completedFuture(false);
        }
        Runnable action;
        synchronized (recording) {
            action = recording.onStop;
        }
        if (action != null) {
            action.run();
        }
        return CompletableFuture.completedFuture(true);
    }

    static final class Recording implements StreamRecording {
        final List<StreamEvent> events = new ArrayList<>();
        final List<StreamFollower> followers = new ArrayList<>();
        Runnable onStop;
        boolean closed;

        @Override
        public synchronized void append(long number, StreamEvent event) {
            if (number != events.size() + 1) {
                throw new AssertionError("event " + number + " after " + events.size());
            }
            events.add(event);
            for (StreamFollower follower : List.copyOf(followers)) {
                follower.onEvent(number, event);
            }
        }

        @Override
        public synchronized CompletableFuture<Boolean> readersPresent() {
            return CompletableFuture.completedFuture(!followers.isEmpty());
        }

        @Override
        public synchronized void onStopRequested(Runnable action) {
            onStop = action;
        }

        @Override
        public synchronized void close() {
            closed = true;
        }

        /** What a buffer tells followers when the stream's writer died before its end. */
        synchronized void abandon() {
            for (StreamFollower follower : List.copyOf(followers)) {
                follower.onAbandoned();
            }
            followers.clear();
        }

        synchronized List<StreamEvent> events() {
            return List.copyOf(events);
        }
    }
}
