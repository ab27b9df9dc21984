package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.StreamBufferPort;
import ai.meridian.application.port.out.StreamEvent;
import ai.meridian.application.port.out.StreamKey;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.lang.System.Logger.Level;
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
 * <li>channel {@code ...:live}: each event published as it is appended, {@code <number>\n<json>}.</li>
 * </ul>
 * Both keys expire {@code maxLifetime} after the stream began and {@code keepAfterEnd} after it ended. A follower
 * subscribes to the live channel first, then reads the kept events, then takes live events in number order, fetching
 * any it missed from the Stream: no gap, no duplicate. A stop request is published on {@code <prefix>stream-stop}; the
 * replica recording the stream stops it. Lettuce's connections reconnect by themselves; while Redis is away appends are
 * lost (the live client is not affected) and follows end with {@code onLost}.
 */
public final class RedisStreamBuffer implements StreamBufferPort, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RedisStreamBuffer.class.getName());
    /** How long a follower's presence lasts unless renewed (it renews every third of it). */
    static final Duration LEASE = Duration.ofSeconds(3);
    private static final String EVENT_FIELD = "e";

    private final String prefix;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final ScheduledExecutorService timer;
    private final String stopChannel;
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

    private RedisStreamBuffer(String url, String prefix, Duration commandTimeout) {
        this.prefix = prefix;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(io.lettuce.core.resource.Delay.constant(Duration.ofMillis(500))).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout)).build());
        RedisURI uri = RedisURI.create(url);
        this.connection = client.connect(StringCodec.UTF8, uri);
        this.commands = connection.async();
        this.pubSub = client.connectPubSub(StringCodec.UTF8, uri);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "meridian-redis-streams");
            thread.setDaemon(true);
            return thread;
        });
        this.stopChannel = prefix + "stream-stop";
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onMessage(channel, message);
            }
        });
        pubSub.sync().subscribe(stopChannel);
    }

    /**
     * Connects to Redis at {@code url} (a Lettuce URI: {@code redis://[:password@]host:6379/0}, {@code rediss://} for TLS,
     * {@code redis-sentinel://...} for Sentinel); every key starts with {@code prefix}. Fails when Redis cannot be
     * reached now; once connected, it reconnects by itself.
     */
    public static RedisStreamBuffer connect(String url, String prefix, Duration commandTimeout) {
        return new RedisStreamBuffer(url, prefix, commandTimeout);
    }

    private String base(StreamKey key) {
        return prefix + "stream:{" + key.tenant() + ":" + key.streamId() + "}";
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

    private static long numberOf(StreamMessage<String, String> message) {
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
                if (number == 1) {
                    commands.set(startKey(key), json, SetArgs.Builder.px(limits.maxLifetime().toMillis()))
                            .exceptionally(e -> {
                                warn("recording a stream", e);
                                return null;
                            });
                } else {
                    commands.xadd(eventsKey(key), new XAddArgs().id(number + "-0").maxlen(limits.maxEvents() - 1L), Map.of(EVENT_FIELD, json))
                            .exceptionally(e -> {
                                warn("recording a stream", e);
                                return null;
                            });
                    if (number == 2) {
                        commands.pexpire(eventsKey(key), limits.maxLifetime().toMillis());
                    }
                }
                commands.publish(liveChannel(key), number + "\n" + json);
            } catch (RuntimeException e) {
                warn("recording a stream", e); // disconnected: the command was refused at once
            }
        }

        @Override
        public CompletableFuture<Boolean> readersPresent() {
            try {
                return commands.exists(readersKey(key)).toCompletableFuture().thenApply(n -> n > 0).exceptionally(e -> false);
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
                commands.pexpire(startKey(key), Math.max(1, limits.keepAfterEnd().toMillis()));
                commands.pexpire(eventsKey(key), Math.max(1, limits.keepAfterEnd().toMillis()));
            } catch (RuntimeException e) {
                warn("expiring a stream", e);
            }
        }
    }

    @Override
    public CompletableFuture<Boolean> requestStop(StreamKey key) {
        try {
            return commands.exists(startKey(key)).toCompletableFuture().thenCompose(n -> {
                if (n == 0) {
                    return CompletableFuture.completedFuture(false);
                }
                return commands.publish(stopChannel, key.tenant() + "\n" + key.streamId()).toCompletableFuture().thenApply(receivers -> true);
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
            subscribed.thenCompose(v -> commands.get(startKey(key)).toCompletableFuture()).whenComplete((start, error) -> {
                if (error != null) {
                    fail("Redis did not answer: " + error.getMessage());
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
                commands.xrange(eventsKey(key), Range.create("-", "+"), io.lettuce.core.Limit.from(1)).toCompletableFuture()
                        .thenCombine(commands.xrange(eventsKey(key), Range.create((after + 1) + "-0", "+")).toCompletableFuture(), (oldest, kept) -> {
                            catchUp(oldest, kept);
                            return null;
                        }).exceptionally(e -> {
                            fail("Redis did not answer: " + e.getMessage());
                            return null;
                        });
            });
        }

        private void renewLease() {
            try {
                commands.set(readersKey(key), "1", SetArgs.Builder.px(LEASE.toMillis()));
            } catch (RuntimeException e) {
                warn("renewing a follower's lease", e);
            }
        }

        private synchronized void catchUp(List<StreamMessage<String, String>> oldest, List<StreamMessage<String, String>> kept) {
            if (done) {
                return;
            }
            if (!oldest.isEmpty() && numberOf(oldest.get(0)) > after + 1) {
                long firstKept = numberOf(oldest.get(0));
                end(() -> follower.onTruncated(firstKept));
                return;
            }
            for (StreamMessage<String, String> message : kept) {
                pending.put(numberOf(message), message.getBody().get(EVENT_FIELD));
            }
            caughtUp = true;
            if (kept.isEmpty() && pending.isEmpty()) {
                // Nothing after the client's last event is kept: if the stream is over, its last event ends the follow.
                commands.xrevrange(eventsKey(key), Range.create("-", "+"), io.lettuce.core.Limit.from(1)).thenAccept(tail -> {
                    synchronized (this) {
                        if (done || tail.isEmpty()) {
                            return;
                        }
                        StreamEvent lastEvent = StreamEventCodec.decode(tail.get(0).getBody().get(EVENT_FIELD));
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
            commands.xrange(eventsKey(key), Range.create(from + "-0", to + "-0")).whenComplete((found, error) -> {
                synchronized (this) {
                    fetching = false;
                    if (done) {
                        return;
                    }
                    if (error != null || found.size() < to - from + 1) {
                        fail(error != null ? "Redis did not answer: " + error.getMessage()
                                : "events " + from + " to " + to + " were not kept (Redis lost them)");
                        return;
                    }
                    for (StreamMessage<String, String> message : found) {
                        pending.put(numberOf(message), message.getBody().get(EVENT_FIELD));
                    }
                    deliverReady();
                }
            });
        }

        private void deliver(long number, StreamEvent event) {
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

        private void fail(String why) {
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
                CompletableFuture<Void> confirmed;
                try {
                    confirmed = pubSub.async().subscribe(channel).toCompletableFuture();
                } catch (RuntimeException e) {
                    confirmed = CompletableFuture.failedFuture(e);
                }
                s.confirmed = confirmed;
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
            try {
                pubSub.async().unsubscribe(channel);
            } catch (RuntimeException e) {
                warn("unsubscribing", e);
            }
            return null;
        });
    }

    @Override
    public void close() {
        timer.shutdownNow();
        pubSub.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown();
    }
}
