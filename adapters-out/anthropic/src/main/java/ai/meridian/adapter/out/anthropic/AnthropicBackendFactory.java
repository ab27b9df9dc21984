package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import ai.meridian.support.nettyhttp.HttpClientOptions;
import ai.meridian.support.nettyhttp.PooledHttpClient;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Makes {@code type: anthropic} backends. Given the inbound server's event loops, backends share them (a request
 * and its upstream call stay on one thread, as with OpenAI-compatible backends); otherwise it runs its own loops.
 */
public final class AnthropicBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "anthropic";

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final boolean ownsGroup;
    private final int loops;

    public AnthropicBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this(group, channelType, false);
    }

    /** A factory with its own NIO event loops, one per core. */
    public AnthropicBackendFactory() {
        this(new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("meridian-anthropic", true), NioIoHandler.newFactory()), NioSocketChannel.class, true);
    }

    private AnthropicBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType, boolean ownsGroup) {
        this.group = group;
        this.channelType = channelType;
        this.ownsGroup = ownsGroup;
        int n = 0;
        for (var ignored : group) {
            n++;
        }
        this.loops = n;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ModelBackend create(BackendSettings settings) {
        AnthropicBackendConfig config = AnthropicBackendConfig.from(settings);
        int perLoop = Math.max(1, (config.maxConnections() + loops - 1) / loops);
        PooledHttpClient http = new PooledHttpClient(group, channelType, config.endpoint(),
                new HttpClientOptions(config.connectTimeout(), config.idleTimeout(), perLoop));
        return new AnthropicMessagesBackend(config, http);
    }

    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
