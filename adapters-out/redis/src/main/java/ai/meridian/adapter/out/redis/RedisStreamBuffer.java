package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stream buffers on Redis, shared by every replica: a client may resume a stream on another replica than the one
 * generating it. Per stream (keys hash-tagged by tenant and id, so they share a cluster slot):
 * <ul>
 * <li>{@code <prefix>stream:{tenant:id}:start}: event 1, kept whatever the bound;</li>
 * <li>{@code ...:events}: a Redis Stream of the later events, entry id {@code <number>-0}, trimmed to {@code maxEvents - 1};</li>
 * <li>{@code ...:readers}: a lease that following clients renew ({@link #LEASE}), so the writer knows someone follows;</li>
 * <li>{@code ...:writer}: the id of the replica recording it, whose heartbeat key {@code <prefix>stream-replica:<id>}
 * lives while the replica does ({@link #REPLICA_TTL}, renewed every second), so followers elsewhere learn when the
 * writer died before the stream's end ({@link StreamFollower#onAbandoned}) instead of waiting out its lifetime;</li>
 * <li>channel {@code ...:live}: each event published as it is appended, {@code <number>\n<json>}.</li>
 * </ul>
 * Both keys expire {@code maxLifetime} after the stream began and {@code keepAfterEnd} after it ended. A follower
 * subscribes to the live channel first, then reads the kept events, then takes live events in number order, fetching
 * any it missed from the Stream: no gap, no duplicate. A stop request is published on {@code <prefix>stream-stop}; the
 * replica recording the stream stops it. Commands go over the gateway's one shared Redis connection
 * ({@link RedisConnection}, which reconnects by itself), live events over one pub/sub connection of this buffer's own;
 * while Redis is away appends are lost (the live client is not affected) and follows end with {@code onLost}.
 */
public final class RedisStreamBuffer implements StreamBufferPort, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisStreamBuffer.class.getName());
    /** How long a follower's presence lasts unless renewed (it renews every third of it). */
    static final Duration LEASE = Duration.ofSeconds(3);
    /** How long a replica counts as alive after its last heartbeat (one a second). */
    static final Duration REPLICA_TTL = Duration.ofSeconds(5);
    /** Checks (one a second) that must find the writer gone before its followers are told: one missed beat is not death. */
    private static final int WRITER_CHECKS = 2;
    private static final String EVENT_FIELD = "e";

    private final RedisConnection redis;
    private final ScheduledExecutorService timer;
    private final String stopChannel;
    /** The pub/sub connection, once made; made again after a failure. */
    private volatile CompletableFuture<StatefulRedisPubSubConnection<String, String>> pubSub;
    /** Followers on this replica, by live channel, with the channel's subscription. */
    private final Map<String, Subscription> followers = new ConcurrentHashMap<>();

    /** One live channel this replica listens to, for these followers. */
    private static final class Subscription {
        final Set<Follow> follows = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> confirmed;
    }

    /** Streams recorded on this replica and what to run when a client asks to stop them. */
    private final Map<StreamKey, Runnable> stopActions = new ConcurrentHashMap<>();
    private final AtomicLong lastWarning = new AtomicLong();
    /** This replica's id, the value of the writer key of every stream it records. */
    private final String replicaId = java.util.UUID.randomUUID().toString();

    /** A buffer on the gateway's shared Redis connection; every key starts with its key prefix. */
    public RedisStreamBuffer(RedisConnection redis) {
        this.redis = redis;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "meridian-redis-streams");
            thread.setDaemon(true);
            return thread;
        });
        this.stopChannel = redis.key("stream-stop");
        pubSub();
        timer.scheduleAtFixedRate(this::heartbeat, 0, 1, TimeUnit.SECONDS);
    }

    private void heartbeat() {
        try {
            commands().set(replicaKey(replicaId), bytes("1"), SetArgs.Builder.px(REPLICA_TTL.toMillis()));
        } catch (RuntimeException e) {
            // Redis away: nothing is recorded either, and the beat resumes with the connection.
        }
    }

    /** The pub/sub connection, subscribed to stop requests; a failed attempt is made again at the next use. */
    private CompletableFuture<StatefulRedisPubSubConnection<String, String>> pubSub() {
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> known = pubSub;
        if (known != null && !known.isCompletedExceptionally()) {
            return known;
        }
        synchronized (this) {
            if (pubSub == null || pubSub.isCompletedExceptionally()) {
                pubSub = redis.pubSub().thenCompose(connection -> {
                    connection.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, String message) {
                            onMessage(channel, message);
                        }
                    });
                    return connection.async().subscribe(stopChannel).toCompletableFuture().thenApply(v -> connection);
                });
                pubSub.exceptionally(e -> {
                    warn("listening for live events", e);
                    return null;
                });
            }
            return pubSub;
        }
    }

    /** The shared connection's commands; fails at once while Redis is not connected. */
    private RedisClusterAsyncCommands<String, byte[]> commands() {
        return redis.commands().orElseThrow(() -> new IllegalStateException("Redis is not connected"));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private String base(StreamKey key) {
        return redis.key("stream:{" + key.tenant() + ":" + key.streamId() + "}");
    }

    private String startKey(StreamKey key) {
        return base(key) + ":start";
    }

    private String eventsKey(StreamKey key) {
        return base(key) + ":events";
    }

    private String readersKey(StreamKey key) {
        return base(key) + ":readers";
    }

    private String writerKey(StreamKey key) {
        return base(key) + ":writer";
    }

    private String replicaKey(String id) {
        return redis.key("stream-replica:" + id);
    }

    private String liveChannel(StreamKey key) {
        return base(key) + ":live";
    }

    private void warn(String what, Throwable error) {
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > TimeUnit.MINUTES.toNanos(1) && lastWarning.compareAndSet(last, now)) {
            LOG.log(Level.WARNING, "Redis stream buffer: " + what + " failed (" + error + "); streams cannot be resumed while it fails");
        }
    }

    private static long numberOf(StreamMessage<String, byte[]> message) {
        String id = message.getId();
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }

    // ---- recording ---------------------------------------------------------------------------------

    @Override
    public StreamRecording record(StreamKey key, Limits limits) {
        return new Recording(key, limits);
    }

    private final class Recording implements StreamRecording {
        private final StreamKey key;
        private final Limits limits;

        Recording(StreamKey key, Limits limits) {
            this.key = key;
            this.limits = limits;
        }

        @Override
        public void append(long number, StreamEvent event) {
            String json = StreamEventCodec.encode(event);
            try {
                RedisClusterAsyncCommands<String, byte[]> commands = commands();
                if (number == 1) {
                    commands.set(startKey(key), bytes(json), SetArgs.Builder.px(limits.maxLifetime().toMillis()))
                            .exceptionally(e -> {
                                warn("recording a stream", e);
                                return null;
                            });
                    commands.set(writerKey(key), bytes(replicaId), SetArgs.Builder.px(limits.maxLifetime().toMillis()));
                } else {
                    commands.xadd(eventsKey(key), new XAddArgs().id(number + "-0").maxlen(limits.maxEvents() - 1L), Map.of(EVENT_FIELD, bytes(json)))
                            .exceptionally(e -> {
                                warn("recording a stream", e);
                                return null;
                            });
                    if (number == 2) {
                        commands.pexpire(eventsKey(key), limits.maxLifetime().toMillis());
                    }
                }
                commands.publish(liveChannel(key), bytes(number + "\n" + json));
            } catch (RuntimeException e) {
                warn("recording a stream", e); // disconnected: the command was refused at once
            }
        }

        @Override
        public CompletableFuture<Boolean> readersPresent() {
            try {
                return commands().exists(readersKey(key)).toCompletableFuture().thenApply(n -> n > 0).exceptionally(e -> false);
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(false);
            }
        }

        @Override
        public void onStopRequested(Runnable action) {
            stopActions.put(key, action);
        }

        @Override
        public void close() {
            stopActions.remove(key);
            try {
                RedisClusterAsyncCommands<String, byte[]> commands = commands();
                commands.pexpire(startKey(key), Math.max(1, limits.keepAfterEnd().toMillis()));
                commands.pexpire(eventsKey(key), Math.max(1, limits.keepAfterEnd().toMillis()));
                commands.pexpire(writerKey(key), Math.max(1, limits.keepAfterEnd().toMillis()));
            } catch (RuntimeException e) {
                warn("expiring a stream", e);
            }
        }
    }

    @Override
    public CompletableFuture<Boolean> requestStop(StreamKey key) {
        try {
            RedisClusterAsyncCommands<String, byte[]> commands = commands();
            return commands.exists(startKey(key)).toCompletableFuture().thenCompose(n -> {
                if (n == 0) {
                    return CompletableFuture.completedFuture(false);
                }
                return commands.publish(stopChannel, bytes(key.tenant() + "\n" + key.streamId())).toCompletableFuture().thenApply(receivers -> true);
            });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void onMessage(String channel, String message) {
        if (channel.equals(stopChannel)) {
            int newline = message.indexOf('\n');
            if (newline > 0) {
                Runnable action = stopActions.remove(new StreamKey(message.substring(0, newline), message.substring(newline + 1)));
                if (action != null) {
                    timer.execute(action);
                }
            }
            return;
        }
        Subscription hearing = followers.get(channel);
        if (hearing == null) {
            return;
        }
        int newline = message.indexOf('\n');
        long number = Long.parseLong(message.substring(0, newline));
        String json = message.substring(newline + 1);
        for (Follow follow : hearing.follows) {
            follow.live(number, json);
        }
    }

    // ---- following ---------------------------------------------------------------------------------

    @Override
    public Cancellable follow(StreamKey key, long afterEvent, StreamFollower follower) {
        Follow follow = new Follow(key, afterEvent, follower);
        follow.begin();
        return follow::cancel;
    }

    /**
     * One follower: subscribed to the live channel before it reads what is kept, so nothing falls between the two;
     * events wait in {@code pending} until every earlier one is delivered, and any missing are fetched from the Stream.
     */
    private final class Follow {
        private final StreamKey key;
        private final long after;
        private final StreamFollower follower;
        private final String channel;
        private final TreeMap<Long, String> pending = new TreeMap<>();
        /** The number of the last event delivered (after the start); below it everything is had. */
        private long last;
        private boolean caughtUp;
        private boolean fetching;
        private boolean done;
        /** Checks in a row that found the writer's replica gone. */
        private int writerGone;
        /** When the last event was delivered: a stream still moving has a live writer, and its follower asks nothing. */
        private volatile long lastEventNanos = System.nanoTime();
        private ScheduledFuture<?> lease;

        Follow(StreamKey key, long after, StreamFollower follower) {
            this.key = key;
            this.after = Math.max(1, after);
            this.follower = follower;
            this.channel = liveChannel(key);
            this.last = this.after;
        }

        void begin() {
            CompletableFuture<Void> subscribed = subscribe(this);
            subscribed.thenCompose(v -> commands().get(startKey(key)).toCompletableFuture()).whenComplete((startBytes, error) -> {
                String start = text(startBytes);
                if (error != null) {
                    fail("Redis did not answer", error);
                    return;
                }
                if (start == null) {
                    end(() -> follower.onMissing());
                    return;
                }
                renewLease();
                lease = timer.scheduleAtFixedRate(this::renewLease, LEASE.toMillis() / 3, LEASE.toMillis() / 3, TimeUnit.MILLISECONDS);
                synchronized (this) {
                    if (done) {
                        return;
                    }
                    deliver(1, StreamEventCodec.decode(start));
                }
                RedisClusterAsyncCommands<String, byte[]> commands;
                try {
                    commands = commands();
                } catch (RuntimeException e) {
                    fail("Redis could not be reached", e);
                    return;
                }
                commands.xrange(eventsKey(key), Range.create("-", "+"), io.lettuce.core.Limit.from(1)).toCompletableFuture()
                        .thenCombine(commands.xrange(eventsKey(key), Range.create((after + 1) + "-0", "+")).toCompletableFuture(), (oldest, kept) -> {
                            catchUp(oldest, kept);
                            return null;
                        }).exceptionally(e -> {
                            fail("Redis did not answer", e);
                            return null;
                        });
            });
        }

        private void renewLease() {
            try {
                commands().set(readersKey(key), bytes("1"), SetArgs.Builder.px(LEASE.toMillis()));
            } catch (RuntimeException e) {
                warn("renewing a follower's lease", e);
                return;
            }
            if (System.nanoTime() - lastEventNanos < REPLICA_TTL.toNanos()) {
                return;
            }
            try {
                checkWriter();
            } catch (RuntimeException e) {
                warn("checking a stream's writer", e); // disconnected meanwhile: checked again at the next tick
            }
        }

        /**
         * Whether the replica recording the stream still beats. A stream without a writer key (recorded by an older
         * version) is not judged. After {@link #WRITER_CHECKS} checks in a row find it gone, what it recorded is delivered
         * and the follow ends with {@code onAbandoned}.
         */
        private void checkWriter() {
            RedisClusterAsyncCommands<String, byte[]> commands = commands();
            commands.get(writerKey(key)).toCompletableFuture()
                    .thenCompose(id -> id == null ? CompletableFuture.completedFuture(-1L)
                            : commands.exists(replicaKey(text(id))).toCompletableFuture())
                    .whenComplete((alive, error) -> {
                        synchronized (this) {
                            if (done || error != null) {
                                return;
                            }
                            writerGone = alive == 0 ? writerGone + 1 : 0;
                            if (writerGone >= WRITER_CHECKS) {
                                deliverRestOrAbandon(commands);
                            }
                        }
                    });
        }

        /** The writer is dead: events it recorded that were not delivered yet are; with none left, the follow is abandoned. */
        private void deliverRestOrAbandon(RedisClusterAsyncCommands<String, byte[]> commands) {
            commands.xrevrange(eventsKey(key), Range.create("-", "+"), io.lettuce.core.Limit.from(1)).whenComplete((tail, error) -> {
                synchronized (this) {
                    if (done || error != null) {
                        return;
                    }
                    long top = tail.isEmpty() ? 1 : numberOf(tail.get(0));
                    if (top > last) {
                        fetchMissing(last + 1, top);
                    } else {
                        end(follower::onAbandoned);
                    }
                }
            });
        }

        private synchronized void catchUp(List<StreamMessage<String, byte[]>> oldest, List<StreamMessage<String, byte[]>> kept) {
            if (done) {
                return;
            }
            if (!oldest.isEmpty() && numberOf(oldest.get(0)) > after + 1) {
                long firstKept = numberOf(oldest.get(0));
                end(() -> follower.onTruncated(firstKept));
                return;
            }
            for (StreamMessage<String, byte[]> message : kept) {
                pending.put(numberOf(message), text(message.getBody().get(EVENT_FIELD)));
            }
            caughtUp = true;
            if (kept.isEmpty() && pending.isEmpty()) {
                // Nothing after the client's last event is kept: if the stream is over, its last event ends the follow.
                commands().xrevrange(eventsKey(key), Range.create("-", "+"), io.lettuce.core.Limit.from(1)).thenAccept(tail -> {
                    synchronized (this) {
                        if (done || tail.isEmpty()) {
                            return;
                        }
                        StreamEvent lastEvent = StreamEventCodec.decode(text(tail.get(0).getBody().get(EVENT_FIELD)));
                        long number = numberOf(tail.get(0));
                        if (lastEvent.last() && number <= after) {
                            deliver(number, lastEvent);
                        }
                    }
                });
                return;
            }
            deliverReady();
        }

        synchronized void live(long number, String json) {
            if (done || number <= last) {
                return;
            }
            pending.put(number, json);
            if (caughtUp) {
                deliverReady();
            }
        }

        /** Delivers pending events in order from the one after the last; fetches the missing ones when there is a hole. */
        private void deliverReady() {
            while (!done && !pending.isEmpty()) {
                long next = pending.firstKey();
                if (next <= last) {
                    pending.pollFirstEntry();
                    continue;
                }
                if (next != last + 1) {
                    fetchMissing(last + 1, next - 1);
                    return;
                }
                String json = pending.pollFirstEntry().getValue();
                deliver(next, StreamEventCodec.decode(json));
            }
        }

        private void fetchMissing(long from, long to) {
            if (fetching) {
                return;
            }
            fetching = true;
            RedisClusterAsyncCommands<String, byte[]> commands;
            try {
                commands = commands();
            } catch (RuntimeException e) {
                fetching = false;
                fail("Redis could not be reached", e);
                return;
            }
            commands.xrange(eventsKey(key), Range.create(from + "-0", to + "-0")).whenComplete((found, error) -> {
                synchronized (this) {
                    fetching = false;
                    if (done) {
                        return;
                    }
                    if (error != null || found.size() < to - from + 1) {
                        fail(error != null ? "Redis did not answer" : "events " + from + " to " + to + " were not kept (Redis lost them)", error);
                        return;
                    }
                    for (StreamMessage<String, byte[]> message : found) {
                        pending.put(numberOf(message), text(message.getBody().get(EVENT_FIELD)));
                    }
                    deliverReady();
                }
            });
        }

        private void deliver(long number, StreamEvent event) {
            lastEventNanos = System.nanoTime();
            if (number > 1) {
                last = number;
            }
            try {
                follower.onEvent(number, event);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a stream follower failed on event " + number, e);
            }
            if (event.last()) {
                end(() -> { });
            }
        }

        /** Ends the follow with {@code why}, which the client reads; Redis's own words ({@code cause}) go to the log only. */
        private void fail(String why, Throwable cause) {
            if (cause != null) {
                LOG.log(Level.WARNING, "Redis stream buffer: following stream " + key.streamId() + " failed: " + why, cause);
            }
            synchronized (this) {
                if (done) {
                    return;
                }
            }
            end(() -> follower.onLost(why));
        }

        private synchronized void end(Runnable terminal) {
            if (done) {
                return;
            }
            done = true;
            stop();
            terminal.run();
        }

        synchronized void cancel() {
            if (!done) {
                done = true;
                stop();
            }
        }

        private void stop() {
            if (lease != null) {
                lease.cancel(false);
            }
            unsubscribe(this);
        }
    }

    /** Adds the follower to its channel's set; the first on this replica subscribes. Completes once Redis confirmed. */
    private CompletableFuture<Void> subscribe(Follow follow) {
        Subscription subscription = followers.compute(follow.channel, (channel, known) -> {
            Subscription s = known == null ? new Subscription() : known;
            s.follows.add(follow);
            if (s.confirmed == null) {
                s.confirmed = pubSub().thenCompose(connection -> connection.async().subscribe(channel).toCompletableFuture());
            }
            return s;
        });
        return subscription.confirmed;
    }

    private void unsubscribe(Follow follow) {
        followers.computeIfPresent(follow.channel, (channel, s) -> {
            s.follows.remove(follow);
            if (!s.follows.isEmpty()) {
                return s;
            }
            pubSub().thenAccept(connection -> connection.async().unsubscribe(channel));
            return null;
        });
    }

    /** Closes this buffer's pub/sub connection; the shared connection is the gateway's to close. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            commands().del(replicaKey(replicaId)); // followers elsewhere learn at once that nothing more comes from here
        } catch (RuntimeException e) {
            // Redis away: the heartbeat key expires by itself
        }
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> known = pubSub;
        if (known != null) {
            known.thenAccept(StatefulRedisPubSubConnection::closeAsync);
        }
    }
}
