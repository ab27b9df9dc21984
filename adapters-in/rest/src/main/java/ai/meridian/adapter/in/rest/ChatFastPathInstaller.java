package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Singleton;

/**
 * Puts {@link ChatFastPath} in front of the framework's handler on every HTTP/1 connection
 * ({@code meridian.http.fast-path}, on by default; off, the framework answers every request).
 */
@Singleton
@Requires(property = "meridian.http.fast-path", notEquals = "false")
final class ChatFastPathInstaller implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private final ChatFastPath.Shared shared;

    // Providers, not the beans: the registry is made while the server is, before the use cases may be.
    ChatFastPathInstaller(BeanProvider<CompleteChatUseCase> chat, BeanProvider<AuthenticateCallerUseCase> authentication,
                          BeanProvider<ForwardedHeaders> forwarded, NettyHttpServerConfiguration server) {
        this.shared = new ChatFastPath.Shared(chat::get, authentication::get, forwarded::get, server.getMaxRequestSize(),
                server.getCompressionThreshold(), server.getCompressionLevel());
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
        }

        @Override
        public void onStreamPipelineBuilt() {
            ChannelPipeline pipeline = channel.pipeline();
            // HTTP/1 only: there the framework's handler sits right behind the HTTP codec.
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null
                    && pipeline.get(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND) != null
                    && pipeline.get(ChatFastPath.NAME) == null) {
                pipeline.addBefore(ChannelPipelineCustomizer.HANDLER_MICRONAUT_INBOUND, ChatFastPath.NAME, new ChatFastPath(shared));
            }
        }
    }
}
