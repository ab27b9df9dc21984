package ai.meridian.adapter.in.websocket;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.CheckOriginUseCase;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.in.ResumeStreamUseCase;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.inboundhttp.Credentials;
import ai.meridian.support.inboundhttp.ErrorResponses;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades {@code GET /v1/chat/stream} to a WebSocket on an HTTP/1.1 connection, right behind the HTTP codec, and hands
 * the connection to a {@link ChatWebSocketSession}: the WebSocket door of the OpenAI chat API, speaking the same
 * Chat Completions bodies and chunks as {@code POST /v1/chat/completions} through the same parser, use cases and
 * writers. A key in the {@code Authorization} header is checked before the upgrade (a wrong one is a 401 in OpenAI's
 * shape); without one the client authenticates with its first frame, as browsers must. Any other request goes on to
 * the framework untouched.
 */
final class ChatWebSocketUpgrade extends ChannelInboundHandlerAdapter {
    static final String NAME = "meridian-chat-websocket";
    static final String PATH = "/v1/chat/stream";
    private static final Logger LOG = LoggerFactory.getLogger(ChatWebSocketUpgrade.class);

    /** What every connection's handler shares: the use cases (looked up once, lazily) and the settings. */
    static final class Shared {
        private final Supplier<CompleteChatUseCase> chatSupplier;
        private final Supplier<ResumeStreamUseCase> resumeSupplier;
        private final Supplier<AuthenticateCallerUseCase> authenticationSupplier;
        private final Supplier<ForwardedHeaders> forwardedSupplier;
        private final Supplier<GatewayMetrics> metricsSupplier;
        private final Supplier<CheckOriginUseCase> originsSupplier;
        final WebSocketSettings settings;
        private volatile CompleteChatUseCase chat;
        private volatile ResumeStreamUseCase resume;
        private volatile AuthenticateCallerUseCase authentication;
        private volatile ForwardedHeaders forwarded;
        private volatile GatewayMetrics metrics;
        private volatile Optional<CheckOriginUseCase> origins;

        Shared(Supplier<CompleteChatUseCase> chat, Supplier<ResumeStreamUseCase> resume, Supplier<AuthenticateCallerUseCase> authentication,
               Supplier<ForwardedHeaders> forwarded, Supplier<GatewayMetrics> metrics, Supplier<CheckOriginUseCase> origins,
               WebSocketSettings settings) {
            this.chatSupplier = chat;
            this.resumeSupplier = resume;
            this.authenticationSupplier = authentication;
            this.forwardedSupplier = forwarded;
            this.metricsSupplier = metrics;
            this.originsSupplier = origins;
            this.settings = settings;
        }

        CompleteChatUseCase chat() {
            CompleteChatUseCase known = chat;
            return known != null ? known : (chat = chatSupplier.get());
        }

        ResumeStreamUseCase resume() {
            ResumeStreamUseCase known = resume;
            return known != null ? known : (resume = resumeSupplier.get());
        }

        AuthenticateCallerUseCase authentication() {
            AuthenticateCallerUseCase known = authentication;
            return known != null ? known : (authentication = authenticationSupplier.get());
        }

        ForwardedHeaders forwarded() {
            ForwardedHeaders known = forwarded;
            return known != null ? known : (forwarded = forwardedSupplier.get());
        }

        GatewayMetrics metrics() {
            GatewayMetrics known = metrics;
            return known != null ? known : (metrics = metricsSupplier.get());
        }

        /**
         * Why a browser page at {@code origin} may not use this connection, or null when it may: the CORS policy applies
         * to WebSockets too, since a browser opens one from any page without asking (cross-site WebSocket hijacking).
         * Without an {@code Origin} (not a browser) there is nothing to check. {@code caller} null: not authenticated yet,
         * so the origin must be one some enabled tenant or the configuration lists.
         */
        GatewayError originRefusal(String origin, Caller caller) {
            if (origin == null) {
                return null;
            }
            Optional<CheckOriginUseCase> known = origins;
            if (known == null) {
                known = origins = Optional.ofNullable(originsSupplier.get());
            }
            CheckOriginUseCase check = known.orElse(null);
            boolean allowed = check != null && check.enabled()
                    && (caller == null ? check.allowsPreflight(origin) : check.allows(caller, origin));
            if (allowed) {
                return null;
            }
            String shown = origin.length() > 200 ? origin.substring(0, 200) + "…" : origin;
            return new GatewayError(ErrorKind.PERMISSION, check == null || !check.enabled()
                    ? "Browser pages may not open WebSockets on this gateway (Origin '" + shown + "'): cross-origin access is off "
                    + "(meridian.cors.enabled)." : "The origin '" + shown + "' may not open WebSockets on this API.",
                    null, "origin_not_allowed", null);
        }
    }

    private final Shared shared;
    /** Requests seen on this connection; an upgrade is taken only as the first. */
    private int requests;
    /** The upgrade request being taken (its body, if any, is read and dropped); null when none. */
    private HttpRequest upgrading;
    /** A refused upgrade's body is read and dropped; the connection closes after the answer. */
    private boolean discarding;
    private Caller caller;
    private String origin;
    private String clientAddress = "";

    ChatWebSocketUpgrade(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            requests++;
            if (isOurs(request)) {
                take(ctx, request);
                ReferenceCountUtil.release(msg);
                return;
            }
        } else if (discarding && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            return;
        } else if (upgrading != null && msg instanceof HttpContent) {
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent) {
                HttpRequest request = upgrading;
                upgrading = null;
                handshake(ctx, request);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean isOurs(HttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        return (query < 0 ? uri : uri.substring(0, query)).equals(PATH);
    }

    /** Checks the upgrade request; answers it at once when it cannot be a WebSocket of ours. */
    private void take(ChannelHandlerContext ctx, HttpRequest request) {
        HttpHeaders headers = request.headers();
        String requestId = RequestIds.fromHeader(headers.get(RequestIds.HEADER));
        if (request.decoderResult().isFailure()) {
            refuse(ctx, requestId, HttpResponseStatus.BAD_REQUEST, GatewayError.invalid(null, "The request could not be read."));
            return;
        }
        if (request.method() != HttpMethod.GET) {
            refuse(ctx, requestId, HttpResponseStatus.METHOD_NOT_ALLOWED, GatewayError.of(ErrorKind.METHOD_NOT_ALLOWED,
                    "The WebSocket endpoint " + PATH + " is opened with GET and an Upgrade: websocket header."));
            return;
        }
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            refuse(ctx, requestId, HttpResponseStatus.UPGRADE_REQUIRED, new GatewayError(ErrorKind.INVALID_REQUEST,
                    PATH + " is the WebSocket door of the chat API: open it as a WebSocket (Upgrade: websocket); "
                            + "POST /v1/chat/completions serves plain HTTP.", null, "upgrade_required", null));
            return;
        }
        if (requests > 1) {
            refuse(ctx, requestId, HttpResponseStatus.BAD_REQUEST, GatewayError.invalid(null,
                    "A WebSocket upgrade must be the first request on its connection; open a new connection."));
            return;
        }
        origin = headers.get(HttpHeaderNames.ORIGIN);
        GatewayError foreign = shared.originRefusal(origin, null);
        if (foreign != null) {
            refuse(ctx, requestId, HttpResponseStatus.FORBIDDEN, foreign);
            return;
        }
        Credentials.Presented presented = Credentials.extract(headers.getAll(HttpHeaderNames.AUTHORIZATION), List.of(), Credentials.Scheme.BEARER);
        if (presented instanceof Credentials.Malformed malformed) {
            refuse(ctx, requestId, HttpResponseStatus.UNAUTHORIZED, new GatewayError(ErrorKind.AUTHENTICATION, malformed.message(), null,
                    "invalid_api_key", null));
            return;
        }
        String token = presented instanceof Credentials.Token t ? t.value() : null;
        clientAddress = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress remote && remote.getAddress() != null
                ? remote.getAddress().getHostAddress() : "";
        Optional<Caller> known;
        try {
            known = shared.authentication().authenticate(token, clientAddress);
        } catch (RuntimeException e) {
            LOG.error("authenticating a WebSocket upgrade failed (request {})", requestId, e);
            refuse(ctx, requestId, HttpResponseStatus.INTERNAL_SERVER_ERROR, GatewayError.of(ErrorKind.INTERNAL,
                    "The server had an error while processing your request."));
            return;
        }
        if (known.isEmpty() && token != null) {
            refuse(ctx, requestId, HttpResponseStatus.UNAUTHORIZED, new GatewayError(ErrorKind.AUTHENTICATION,
                    "Incorrect API key provided.", null, "invalid_api_key", null));
            return;
        }
        caller = known.orElse(null); // none yet: the client's first frame must be {"type":"auth",...}
        foreign = caller == null ? null : shared.originRefusal(origin, caller);
        if (foreign != null) {
            refuse(ctx, requestId, HttpResponseStatus.FORBIDDEN, foreign);
            return;
        }
        if (request instanceof FullHttpRequest || request instanceof LastHttpContent) {
            handshake(ctx, request);
        } else {
            upgrading = request;
        }
    }

    private void handshake(ChannelHandlerContext ctx, HttpRequest request) {
        FullHttpRequest full = new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(), Unpooled.EMPTY_BUFFER,
                request.headers().copy(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        String scheme = ctx.pipeline().get("ssl") != null || ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null ? "wss" : "ws";
        String location = scheme + "://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + PATH;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, false,
                shared.settings.maxFrameSize()).newHandshaker(full);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel()).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HttpHeaders upgradeHeaders = request.headers().copy();
        handshaker.handshake(ctx.channel(), full).addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess()) {
                ctx.close();
                return;
            }
            ChannelPipeline pipeline = ctx.pipeline();
            // From here the connection speaks WebSocket frames: the HTTP handlers behind the frame decoder go.
            List<String> behind = new ArrayList<>();
            boolean after = false;
            for (String name : pipeline.names()) {
                if (after && pipeline.get(name) != null) {
                    behind.add(name);
                }
                if (name.equals("wsdecoder")) {
                    after = true;
                }
            }
            for (String name : behind) {
                pipeline.remove(name);
            }
            pipeline.addLast("meridian-ws-aggregator", new WebSocketFrameAggregator(shared.settings.maxFrameSize()));
            pipeline.addLast(ChatWebSocketSession.NAME, new ChatWebSocketSession(shared, caller, upgradeHeaders, clientAddress, origin));
            // The framework read on demand (auto-read off); frames are read as they come from now on.
            ctx.channel().config().setAutoRead(true);
            ctx.channel().read();
        });
    }

    /** Answers a request to the WebSocket path that cannot be upgraded, in OpenAI's error shape. */
    private void refuse(ChannelHandlerContext ctx, String requestId, HttpResponseStatus status, GatewayError error) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(OpenAiJsonWriter.error(error)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (status == HttpResponseStatus.UPGRADE_REQUIRED) {
            response.headers().set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        if (status == HttpResponseStatus.UNAUTHORIZED) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        ErrorResponses.writeHeaders(requestId, error, response.headers()::set);
        discarding = true;
        // The connection closes after the answer: nothing else on it is answered, whatever was pipelined behind.
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
