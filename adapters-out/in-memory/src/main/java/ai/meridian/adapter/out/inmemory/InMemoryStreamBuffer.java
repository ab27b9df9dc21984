package ai.meridian.adapter.out.inmemory;

import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.ToolCallDelta;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stream buffers in this process's memory: a client may resume a stream on the replica that generates it. Each stream
 * keeps at most its {@code maxEvents} newest events; all streams together at most {@code memoryBudgetBytes} (estimated
 * from the events' text): over it, finished streams are dropped oldest first, then the oldest events of the oldest live
 * streams. A sweep every {@code sweepEvery} drops streams kept past their time.
 *
 * <p>Followers hear events on the appending thread, under the stream's lock, so the backlog a follower is given and
 * the live events after it join without a gap or a duplicate.
 */
public final class InMemoryStreamBuffer implements StreamBufferPort, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(InMemoryStreamBuffer.class.getName());

    private final Map<StreamKey, Stream> streams = new ConcurrentHashMap<>();
    private final long memoryBudgetBytes;
    private final AtomicLong usedBytes = new AtomicLong();
    private final ScheduledExecutorService sweeper;

    public InMemoryStreamBuffer(long memoryBudgetBytes, Duration sweepEvery) {
        if (memoryBudgetBytes < 1024) {
            throw new IllegalArgumentException("meridian.streams.memory-budget must be at least 1 KiB");
        }
        this.memoryBudgetBytes = memoryBudgetBytes;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "meridian-stream-buffer-sweep");
            thread.setDaemon(true);
            return thread;
        });
        long every = Math.max(10, sweepEvery.toMillis());
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /** Streams held now (live and finished). */
    public int streams() {
        return streams.size();
    }

    /** The estimated bytes of every event held. */
    public long usedBytes() {
        return usedBytes.get();
    }

    @Override
    public StreamRecording record(StreamKey key, Limits limits) {
        Stream stream = new Stream(key, limits);
        Stream replaced = streams.put(key, stream);
        if (replaced != null) {
            replaced.drop(); // ids are random: only a retried id lands here
        }
        return stream;
    }

    @Override
    public Cancellable follow(StreamKey key, long afterEvent, StreamFollower follower) {
        Stream stream = streams.get(key);
        if (stream == null) {
            follower.onMissing();
            return () -> { };
        }
        return stream.follow(afterEvent, follower);
    }

    @Override
    public CompletableFuture<Boolean> requestStop(StreamKey key) {
        Stream stream = streams.get(key);
        if (stream == null) {
            return CompletableFuture.completedFuture(false);
        }
        stream.stop();
        return CompletableFuture.completedFuture(true);
    }

    /** Drops streams kept past their time, and keeps the whole within the memory budget. */
    void sweep() {
        long now = System.nanoTime();
        for (Stream stream : streams.values()) {
            if (stream.expired(now)) {
                streams.remove(stream.key, stream);
                stream.drop();
            }
        }
        if (usedBytes.get() > memoryBudgetBytes) {
            trimToBudget();
        }
    }

    private void trimToBudget() {
        List<Stream> byAge = new ArrayList<>(streams.values());
        byAge.sort((a, b) -> Long.compare(a.createdNanos, b.createdNanos));
        for (Stream stream : byAge) {
            if (usedBytes.get() <= memoryBudgetBytes) {
                return;
            }
            if (stream.finished()) {
                streams.remove(stream.key, stream);
                stream.drop();
            }
        }
        for (Stream stream : byAge) {
            if (usedBytes.get() <= memoryBudgetBytes) {
                return;
            }
            stream.trimOldest(usedBytes.get() - memoryBudgetBytes);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        streams.values().forEach(Stream::drop);
        streams.clear();
    }

    /** A rough size of an event in memory: its text twice (UTF-16) and a fixed overhead per object. */
    static long estimate(StreamEvent event) {
        if (event instanceof StreamEvent.Piece piece) {
            Delta d = piece.delta();
            long bytes = 96 + 2L * (d.content().length() + d.reasoningContent().length());
            for (ToolCallDelta call : d.toolCalls()) {
                bytes += 64 + 2L * (length(call.id()) + length(call.name()) + length(call.arguments()));
            }
            bytes += 2L * (length(d.refusal()) + length(d.logprobs()));
            for (Map<String, String> raw : List.of(d.chunkExtra(), d.choiceExtra(), d.deltaExtra())) {
                for (Map.Entry<String, String> field : raw.entrySet()) {
                    bytes += 48 + 2L * (field.getKey().length() + field.getValue().length());
                }
            }
            return bytes;
        }
        if (event instanceof StreamEvent.Start start) {
            long bytes = 256;
            for (var citation : start.start().citations()) {
                bytes += 128 + 2L * (citation.title().length() + citation.url().length() + citation.snippet().length());
            }
            return bytes;
        }
        return 256;
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    private record Held(long number, StreamEvent event, long bytes) {
    }

    /** One stream's events and followers. Every field is guarded by the stream's lock. */
    private final class Stream implements StreamRecording {
        final StreamKey key;
        final Limits limits;
        final long createdNanos = System.nanoTime();
        /** Event 1, the start: kept whatever the bound, since a resuming client's door needs it. */
        private Held start;
        /** The events after the start, oldest first, at most {@code maxEvents - 1}. */
        private final ArrayDeque<Held> events = new ArrayDeque<>();
        private final List<Follower> followers = new ArrayList<>(1);
        private long firstKept = 2;
        private long lastNumber;
        private boolean ended;
        private boolean closed;
        private long closedAtNanos;
        private boolean dropped;
        private boolean stopRequested;
        private Runnable stopAction;
        private long bytes;

        Stream(StreamKey key, Limits limits) {
            this.key = key;
            this.limits = limits;
        }

        @Override
        public void append(long number, StreamEvent event) {
            List<Follower> hearing;
            synchronized (this) {
                if (dropped || ended) {
                    return;
                }
                if (number != lastNumber + 1) {
                    throw new IllegalStateException("stream " + key.streamId() + ": event " + number + " after " + lastNumber);
                }
                long size = estimate(event);
                Held held = new Held(number, event, size);
                if (number == 1) {
                    start = held;
                } else {
                    events.addLast(held);
                }
                bytes += size;
                usedBytes.addAndGet(size);
                lastNumber = number;
                ended = event.last();
                while (events.size() > limits.maxEvents() - 1) {
                    removeOldest();
                }
                hearing = followers.isEmpty() ? List.of() : List.copyOf(followers);
                for (Follower follower : hearing) {
                    follower.deliver(number, event);
                }
                if (ended) {
                    followers.clear();
                }
            }
            if (usedBytes.get() > memoryBudgetBytes) {
                sweeper.execute(InMemoryStreamBuffer.this::trimToBudget);
            }
        }

        private void removeOldest() {
            Held oldest = events.removeFirst();
            bytes -= oldest.bytes();
            usedBytes.addAndGet(-oldest.bytes());
            firstKept = oldest.number() + 1;
        }

        synchronized void trimOldest(long excess) {
            long freed = 0;
            while (freed < excess && events.size() > 1) {
                freed += events.peekFirst().bytes();
                removeOldest();
            }
        }

        @Override
        public synchronized CompletableFuture<Boolean> readersPresent() {
            return CompletableFuture.completedFuture(!followers.isEmpty());
        }

        @Override
        public void onStopRequested(Runnable action) {
            boolean now;
            synchronized (this) {
                stopAction = action;
                now = stopRequested;
            }
            if (now) {
                action.run();
            }
        }

        void stop() {
            Runnable action;
            synchronized (this) {
                if (stopRequested) {
                    return;
                }
                stopRequested = true;
                action = stopAction;
            }
            if (action != null) {
                action.run();
            }
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                closedAtNanos = System.nanoTime();
            }
        }

        synchronized boolean finished() {
            return closed || ended;
        }

        synchronized boolean expired(long now) {
            if (closed && now - closedAtNanos >= limits.keepAfterEnd().toNanos()) {
                return true;
            }
            return now - createdNanos >= limits.maxLifetime().toNanos();
        }

        void drop() {
            List<Follower> left;
            synchronized (this) {
                if (dropped) {
                    return;
                }
                dropped = true;
                usedBytes.addAndGet(-bytes);
                bytes = 0;
                events.clear();
                start = null;
                left = List.copyOf(followers);
                followers.clear();
            }
            for (Follower follower : left) {
                follower.lost("the stream's buffer was dropped");
            }
        }

        Cancellable follow(long afterEvent, StreamFollower listener) {
            synchronized (this) {
                if (dropped || start == null) {
                    listener.onMissing();
                    return () -> { };
                }
                long after = Math.max(1, afterEvent);
                if (after + 1 < firstKept && after < lastNumber) {
                    listener.onTruncated(firstKept);
                    return () -> { };
                }
                Follower follower = new Follower(listener);
                follower.deliver(start.number(), start.event());
                boolean delivered = false;
                for (Held held : events) {
                    if (held.number() > after) {
                        follower.deliver(held.number(), held.event());
                        delivered = true;
                    }
                }
                if (ended) {
                    Held last = events.peekLast();
                    if (!delivered && last != null) {
                        // The client had every event: the last once more ends its follow (its door writes nothing of it).
                        follower.deliver(last.number(), last.event());
                    }
                    return () -> { };
                }
                followers.add(follower);
                return () -> {
                    synchronized (Stream.this) {
                        followers.remove(follower);
                    }
                };
            }
        }
    }

    /** A follower and its guard against a callback that throws (one follower must not break the stream for others). */
    private final class Follower {
        private final StreamFollower listener;

        Follower(StreamFollower listener) {
            this.listener = listener;
        }

        void deliver(long number, StreamEvent event) {
            try {
                listener.onEvent(number, event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a stream follower failed on event " + number, e);
            }
        }

        void lost(String why) {
            try {
                listener.onLost(why);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a stream follower failed", e);
            }
        }
    }
}
