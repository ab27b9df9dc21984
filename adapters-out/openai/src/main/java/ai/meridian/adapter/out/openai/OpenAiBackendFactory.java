package ai.meridian.adapter.out.openai;

import ai.meridian.support.nettyhttp.HttpClientOptions;
import ai.meridian.support.nettyhttp.PooledHttpClient;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Makes {@code type: openai} backends. Given the inbound server's event loops, backends share them, so
 * a request and its upstream call stay on one thread; otherwise the factory runs its own loops.
 */
public final class OpenAiBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "openai";

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final boolean ownsGroup;
    private final int loops;

    public OpenAiBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this(group, channelType, false);
    }

    /** A factory with its own NIO event loops, one per core. */
    public OpenAiBackendFactory() {
        this(new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("meridian-upstream", true), NioIoHandler.newFactory()), NioSocketChannel.class, true);
    }

    private OpenAiBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType, boolean ownsGroup) {
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
        OpenAiBackendConfig config = OpenAiBackendConfig.from(settings);
        int perLoop = Math.max(1, (config.maxConnections() + loops - 1) / loops);
        PooledHttpClient http = new PooledHttpClient(group, channelType, config.endpoint(),
                new HttpClientOptions(config.connectTimeout(), config.idleTimeout(), perLoop));
        OpenAiCompatibleBackend backend = new OpenAiCompatibleBackend(config, http);
        backend.continueWith(continuation(settings));
        backend.discoverModels();
        return backend;
    }

    /**
     * {@code continuation}: how this upstream is asked to continue an answer another backend began ({@code prompt}, the
     * default, works with any chat model; {@code prefix} sends the partial answer as a final assistant message with
     * {@code prefix: true}, which DeepSeek's beta endpoint {@code https://api.deepseek.com/beta} continues exactly).
     */
    static ai.meridian.domain.fallback.ContinuationStyle continuation(BackendSettings settings) {
        String value = settings.string("continuation", "prompt");
        try {
            return ai.meridian.domain.fallback.ContinuationStyle.named(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("meridian.backends." + settings.id() + ".continuation must be prefix or prompt, not '" + value + "'");
        }
    }

    @Override
    public void close() {
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
