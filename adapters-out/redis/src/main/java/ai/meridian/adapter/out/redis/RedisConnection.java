package ai.meridian.adapter.out.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Redis client of the gateway, shared by every Redis feature (rate limits and budgets today; stream-resume
 * buffers and the response cache can take their commands from here too): standalone, Sentinel or Cluster, one
 * multiplexed connection, non-blocking. It connects in the background: a gateway starts whether Redis is up or
 * not, and while it is not, {@link #commands()} fails at once (the features degrade) and each {@link #ping()}
 * tries again; once connected Lettuce reconnects by itself and refuses commands while disconnected rather than
 * queueing them.
 */
public final class RedisConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    private final RedisSettings settings;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private volatile StatefulConnection<String, byte[]> connection;
    private CompletableFuture<StatefulConnection<String, byte[]>> connecting;

    private RedisConnection(RedisSettings settings) {
        this.settings = settings;
        // Reconnect attempts every half second (Lettuce's default backs off to 30 s): limits are shared again soon after Redis is back.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(io.lettuce.core.resource.Delay.constant(Duration.ofMillis(500))).build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(settings.commandTimeout());
        if (settings.cluster()) {
            List<RedisURI> seeds = settings.clusterUrls().stream().map(RedisURI::create).toList();
            this.client = null;
            this.clusterClient = RedisClusterClient.create(resources, seeds);
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .autoReconnect(true).socketOptions(socket).timeoutOptions(timeouts)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers()
                            .enablePeriodicRefresh(Duration.ofSeconds(30)).build())
                    .build());
        } else {
            this.clusterClient = null;
            this.client = RedisClient.create(resources);
            client.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .autoReconnect(true).socketOptions(socket).timeoutOptions(timeouts).build());
        }
    }

    /** A client for these settings; it starts connecting at once, in the background. */
    public static RedisConnection open(RedisSettings settings) {
        RedisConnection redis = new RedisConnection(settings);
        redis.connect();
        return redis;
    }

    public RedisSettings settings() {
        return settings;
    }

    public String key(String name) {
        return settings.keyPrefix() + name;
    }

    /** Starts connecting unless connected or already connecting; completes with the connection. */
    synchronized CompletableFuture<StatefulConnection<String, byte[]>> connect() {
        if (connection != null) {
            return CompletableFuture.completedFuture(connection);
        }
        if (connecting != null && !connecting.isDone()) {
            return connecting;
        }
        // A cluster client must know the topology before it connects (Lettuce refuses otherwise): read it from the seeds first.
        CompletionStage<? extends StatefulConnection<String, byte[]>> attempt = settings.cluster()
                ? clusterClient.refreshPartitionsAsync().thenCompose(topology -> clusterClient.connectAsync(CODEC))
                : client.connectAsync(CODEC, RedisURI.create(settings.url()));
        connecting = attempt.toCompletableFuture().thenApply(c -> {
            synchronized (this) {
                connection = c;
            }
            LOG.info("Redis connected: {}", settings.shown());
            return (StatefulConnection<String, byte[]>) c;
        });
        return connecting;
    }

    /** Commands on the shared connection (standalone, Sentinel-managed or cluster); empty while not connected. */
    @SuppressWarnings("unchecked")
    public Optional<RedisClusterAsyncCommands<String, byte[]>> commands() {
        StatefulConnection<String, byte[]> c = connection;
        if (c == null) {
            connect();
            return Optional.empty();
        }
        if (c instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
            return Optional.of(cluster.async());
        }
        return Optional.of(((StatefulRedisConnection<String, byte[]>) c).async());
    }

    /** The connection itself, for libraries that take one (Bucket4j); empty while not connected. */
    Optional<StatefulConnection<String, byte[]>> connection() {
        StatefulConnection<String, byte[]> c = connection;
        if (c == null) {
            connect();
        }
        return Optional.ofNullable(c);
    }

    /** True when Redis answers a PING within the command timeout; connects first if needed. */
    public CompletableFuture<Boolean> ping() {
        return connect().thenCompose(c -> commands().map(cmd -> cmd.ping().toCompletableFuture().thenApply("PONG"::equals))
                        .orElse(CompletableFuture.completedFuture(false)))
                .exceptionally(e -> false);
    }

    /**
     * Runs {@code action} each time a connection of this client (re)connects after having been lost: what a feature
     * heard over pub/sub meanwhile may have been missed. The first connection does not count.
     */
    public void onReconnected(Runnable action) {
        java.util.concurrent.atomic.AtomicBoolean lost = new java.util.concurrent.atomic.AtomicBoolean();
        io.lettuce.core.RedisConnectionStateListener listener = new io.lettuce.core.RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> connection) {
                lost.set(true);
            }

            @Override
            public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                if (lost.getAndSet(false)) {
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        LOG.warn("after Redis reconnected: {}", e.getMessage(), e);
                    }
                }
            }
        };
        if (client != null) {
            client.addListener(listener);
        } else {
            clusterClient.addListener(listener);
        }
    }

    /** A separate connection for subscriptions (pub/sub cannot share the command connection). */
    public CompletableFuture<StatefulRedisPubSubConnection<String, String>> pubSub() {
        return (settings.cluster()
                ? connect().thenCompose(known -> clusterClient.connectPubSubAsync(StringCodec.UTF8))
                        .thenApply(c -> (StatefulRedisPubSubConnection<String, String>) c)
                : client.connectPubSubAsync(StringCodec.UTF8, RedisURI.create(settings.url()))).toCompletableFuture();
    }

    @Override
    public void close() {
        StatefulConnection<String, byte[]> c = connection;
        if (c != null) {
            c.closeAsync();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (clusterClient != null) {
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown();
    }
}
