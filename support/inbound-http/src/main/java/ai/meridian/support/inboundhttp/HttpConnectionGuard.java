package ai.meridian.support.inboundhttp;

import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;

/**
 * Puts a {@link ConnectionGuard} on every HTTP/1 connection: per-address connection cap
 * ({@code meridian.http.max-connections-per-address}), deadlines for a request's head and body
 * ({@code meridian.http.request-header-timeout}, {@code request-body-timeout}), answers for half-closed
 * clients, and the drain at shutdown, which is started here and which waits on {@link #inFlight()}. Its own
 * answers (408, 503) are in the protocol of the request's path ({@link ProtocolDoor}), OpenAI's elsewhere.
 */
@Singleton
public final class HttpConnectionGuard implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    /** The guard's handler right behind the HTTP codec: door handlers that sit behind the codec go behind it. */
    public static final String MESSAGES_HANDLER = ConnectionGuard.MESSAGES;
    private final ConnectionGuard.Shared shared;

    HttpConnectionGuard(@Value("${meridian.http.request-header-timeout:30s}") Duration headerTimeout,
                        @Value("${meridian.http.request-body-timeout:60s}") Duration bodyTimeout,
                        @Value("${meridian.http.max-connections-per-address:512}") int maxPerAddress,
                        List<ProtocolDoor> doors) {
        this.shared = new ConnectionGuard.Shared(headerTimeout, bodyTimeout, maxPerAddress, doors);
    }

    /** Refuses new requests from now on (503, {@code Connection: close}) and closes idle connections. */
    public void startDraining() {
        shared.startDraining();
    }

    /** Requests received whose answers are not written to the end yet. */
    public int inFlight() {
        return shared.inFlight();
    }

    public int openConnections() {
        return shared.openConnections();
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new NettyServerCustomizer() {
            @Override
            public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
                return role == ChannelRole.CONNECTION ? new OnConnection(channel) : this;
            }
        });
        return event.getBean();
    }

    private final class OnConnection implements NettyServerCustomizer {
        private final Channel channel;

        OnConnection(Channel channel) {
            this.channel = channel;
            // A client that shuts down its sending side after the request still reads the answer.
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }

        @Override
        public void onStreamPipelineBuilt() {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null && pipeline.get(ConnectionGuard.MESSAGES) == null) {
                ConnectionGuard guard = new ConnectionGuard(shared);
                pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, ConnectionGuard.BYTES, guard.bytes());
                pipeline.addAfter(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC, ConnectionGuard.MESSAGES, guard.messages());
            }
        }
    }
}
