package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import ai.meridian.support.nettyhttp.PooledHttpClient;
import ai.meridian.support.nettyhttp.UpstreamLoops;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * Makes {@code type: anthropic} backends. Given the inbound server's event loops, backends share them (a request
 * and its upstream call stay on one thread, as with OpenAI-compatible backends); otherwise it runs its own loops.
 */
public final class AnthropicBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "anthropic";

    private final UpstreamLoops loops;

    public AnthropicBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this.loops = UpstreamLoops.shared(group, channelType);
    }

    /** A factory with its own NIO event loops, one per core. */
    public AnthropicBackendFactory() {
        this.loops = UpstreamLoops.own("meridian-anthropic");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ModelBackend create(BackendSettings settings) {
        AnthropicBackendConfig config = AnthropicBackendConfig.from(settings);
        PooledHttpClient http = loops.client(config.endpoint(), config.connectTimeout(), config.idleTimeout(), config.maxConnections());
        return new AnthropicMessagesBackend(config, http);
    }

    @Override
    public void close() {
        loops.close();
    }
}
