package ai.meridian.adapter.out.openai;

import ai.meridian.support.nettyhttp.PooledHttpClient;
import ai.meridian.support.nettyhttp.UpstreamLoops;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.ModelBackendFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * Makes {@code type: openai} backends. Given the inbound server's event loops, backends share them, so
 * a request and its upstream call stay on one thread; otherwise the factory runs its own loops.
 */
public final class OpenAiBackendFactory implements ModelBackendFactory, AutoCloseable {
    public static final String TYPE = "openai";

    private final UpstreamLoops loops;

    public OpenAiBackendFactory(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this.loops = UpstreamLoops.shared(group, channelType);
    }

    /** A factory with its own NIO event loops, one per core. */
    public OpenAiBackendFactory() {
        this.loops = UpstreamLoops.own("meridian-upstream");
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ModelBackend create(BackendSettings settings) {
        OpenAiBackendConfig config = OpenAiBackendConfig.from(settings);
        PooledHttpClient http = loops.client(config.endpoint(), config.connectTimeout(), config.idleTimeout(), config.maxConnections());
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
        loops.close();
    }
}
