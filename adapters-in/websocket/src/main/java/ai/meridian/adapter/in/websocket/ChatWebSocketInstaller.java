package ai.meridian.adapter.in.websocket;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.CheckOriginUseCase;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.in.ResumeStreamUseCase;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.support.inboundhttp.HttpConnectionGuard;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Puts {@link ChatWebSocketUpgrade} right behind the HTTP codec on every HTTP/1 connection
 * ({@code meridian.websocket.enabled}, on by default), so {@code GET /v1/chat/stream} can become a WebSocket.
 */
@Singleton
@Requires(property = "meridian.websocket.enabled", notEquals = "false")
final class ChatWebSocketInstaller implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {
    private final ChatWebSocketUpgrade.Shared shared;

    // Providers, not the beans: the registry is made while the server is, before the use cases may be.
    ChatWebSocketInstaller(BeanProvider<CompleteChatUseCase> chat, BeanProvider<ResumeStreamUseCase> resume,
                           BeanProvider<AuthenticateCallerUseCase> authentication, BeanProvider<ForwardedHeaders> forwarded,
                           BeanProvider<GatewayMetrics> metrics, BeanProvider<CheckOriginUseCase> origins,
                           @Value("${meridian.websocket.ping-interval:30s}") String pingInterval,
                           @Value("${meridian.websocket.idle-timeout:5m}") String idleTimeout,
                           @Value("${meridian.websocket.auth-timeout:10s}") String authTimeout,
                           @Value("${meridian.websocket.send-buffer:1MB}") String sendBuffer,
                           @Value("${meridian.websocket.max-frame-size:10MB}") String maxFrameSize,
                           @Value("${meridian.websocket.max-requests-per-connection:16}") int maxRequests) {
        WebSocketSettings settings = new WebSocketSettings(
                BackendSettings.parseDuration("meridian.websocket.ping-interval", pingInterval),
                BackendSettings.parseDuration("meridian.websocket.idle-timeout", idleTimeout),
                BackendSettings.parseDuration("meridian.websocket.auth-timeout", authTimeout),
                bytes("meridian.websocket.send-buffer", sendBuffer),
                (int) Math.min(Integer.MAX_VALUE, bytes("meridian.websocket.max-frame-size", maxFrameSize)),
                maxRequests);
        this.shared = new ChatWebSocketUpgrade.Shared(chat::get, resume::get, authentication::get, forwarded::get, metrics::get,
                () -> origins.find(null).orElse(null), settings);
    }

    /** A size in bytes, or with KB, MB or GB (powers of 1024). */
    static long bytes(String key, String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        long factor = 1;
        for (String[] unit : new String[][] {{"GB", "1073741824"}, {"MB", "1048576"}, {"KB", "1024"}, {"B", "1"}}) {
            if (v.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                v = v.substring(0, v.length() - unit[0].length()).trim();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(v), factor);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " must be a size such as 1048576, 512KB or 1MB, not '" + value + "'");
        }
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
            // HTTP/1 only (WebSockets over HTTP/2 are not offered): right behind the codec and the connection guard's handler
            // (which installers run first is the framework's choice, so the guard's place is named), ahead of every request handler.
            if (pipeline.get(ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC) != null && pipeline.get(ChatWebSocketUpgrade.NAME) == null) {
                String behind = pipeline.get(HttpConnectionGuard.MESSAGES_HANDLER) != null ? HttpConnectionGuard.MESSAGES_HANDLER
                        : ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC;
                pipeline.addAfter(behind, ChatWebSocketUpgrade.NAME, new ChatWebSocketUpgrade(shared));
            }
        }
    }
}
