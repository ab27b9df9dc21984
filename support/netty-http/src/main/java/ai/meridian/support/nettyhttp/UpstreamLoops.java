package ai.meridian.support.nettyhttp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loops an HTTP backend's upstream calls run on. Given the inbound server's loops, backends share them, so a
 * request and its upstream call stay on one thread; otherwise it runs its own NIO loops, one per core, and shuts them
 * down on {@link #close}. Each backend's connection cap is split across the loops, since every loop keeps its own pool.
 */
public final class UpstreamLoops implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final boolean ownsGroup;
    private final int loops;

    /** The given (shared) loops; {@link #close} leaves them running. */
    public static UpstreamLoops shared(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        return new UpstreamLoops(group, channelType, false);
    }

    /** Own NIO loops, one per core, on daemon threads named {@code threadPrefix-…}. */
    public static UpstreamLoops own(String threadPrefix) {
        return new UpstreamLoops(new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory(threadPrefix, true), NioIoHandler.newFactory()), NioSocketChannel.class, true);
    }

    private UpstreamLoops(EventLoopGroup group, Class<? extends SocketChannel> channelType, boolean ownsGroup) {
        this.group = group;
        this.channelType = channelType;
        this.ownsGroup = ownsGroup;
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        this.loops = n;
    }

    /** A pooled client for one upstream, at most {@code maxConnections} connections over all loops (at least one per loop). */
    public PooledHttpClient client(UpstreamEndpoint endpoint, java.time.Duration connectTimeout, java.time.Duration idleTimeout, int maxConnections) {
        int perLoop = Math.max(1, (maxConnections + loops - 1) / loops);
        return new PooledHttpClient(group, channelType, endpoint, new HttpClientOptions(connectTimeout, idleTimeout, perLoop));
    }

    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
