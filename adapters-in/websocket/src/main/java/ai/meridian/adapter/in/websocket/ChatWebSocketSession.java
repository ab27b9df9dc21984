package ai.meridian.adapter.in.websocket;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.ResumeStreamUseCase.ResumeCommand;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.inboundhttp.GatewayExceptionHandlers;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.openaiwire.ChatRequestParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of the chat API after its upgrade. The client sends JSON frames: {@code auth} (first, when
 * the upgrade carried no key), {@code request} (a Chat Completions body, streamed back, under a client-chosen id;
 * several may be in flight), {@code cancel} (by id), {@code resume} (a stream after the event it had), {@code ping}.
 * Answers are the frames of {@link ChatWebSocketFrames}. The server pings every {@code ping-interval}; a peer silent for
 * two intervals, an unauthenticated one past {@code auth-timeout} and an idle one past {@code idle-timeout} are closed.
 *
 * <p>Backpressure: at most {@code send-buffer} bytes may wait to be sent; a reader slower than that has its connection
 * closed with 1008 and the upstream calls of its requests cancelled, so a slow client never makes the gateway buffer
 * without bound. All state is touched on the connection's event loop; the core's calls hop onto it.
 */
final class ChatWebSocketSession extends ChannelInboundHandlerAdapter {
    static final String NAME = "meridian-ws-session";
    static final int CLOSE_NORMAL = 1000;
    static final int CLOSE_GOING_AWAY = 1001;
    static final int CLOSE_UNSUPPORTED = 1003;
    static final int CLOSE_POLICY = 1008;
    private static final String EXCHANGE = "WS " + ChatWebSocketUpgrade.PATH;
    private static final Logger LOG = LoggerFactory.getLogger(ChatWebSocketSession.class);

    private final ChatWebSocketUpgrade.Shared shared;
    private final WebSocketSettings settings;
    private final HttpHeaders upgradeHeaders;
    private final String clientAddress;
    private Caller caller;
    /** The page that opened the connection (browsers send it), checked against the key's tenant once it authenticates. */
    private final String origin;
    private ChannelHandlerContext ctx;
    private final Map<String, Request> requests = new LinkedHashMap<>();
    private long queuedBytes;
    private long openedNanos;
    private long lastReceivedNanos;
    private long lastActivityNanos;
    private long lastPingNanos;
    private ScheduledFuture<?> ticker;
    private boolean closing;

    ChatWebSocketSession(ChatWebSocketUpgrade.Shared shared, Caller caller, HttpHeaders upgradeHeaders, String clientAddress, String origin) {
        this.origin = origin;
        this.shared = shared;
        this.settings = shared.settings;
        this.caller = caller;
        this.upgradeHeaders = upgradeHeaders;
        this.clientAddress = clientAddress;
    }

    /** Bytes written to the connection and not yet taken by the socket. */
    long queuedBytes() {
        return queuedBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        long now = System.nanoTime();
        openedNanos = now;
        lastReceivedNanos = now;
        lastActivityNanos = now;
        lastPingNanos = now;
        long period = Math.max(20, Math.min(1000, Math.min(settings.pingInterval().toMillis(), settings.authTimeout().toMillis()) / 2));
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
        shared.metrics().webSocket("opened");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ticker != null) {
            ticker.cancel(false);
        }
        // The client is gone: each answer detaches (a resumable stream goes on for the resume window) or is cancelled.
        List<Request> left = new ArrayList<>(requests.values());
        requests.clear();
        for (Request request : left) {
            request.clientGone();
        }
        shared.metrics().webSocket("closed");
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            lastReceivedNanos = System.nanoTime();
            if (msg instanceof TextWebSocketFrame text) {
                lastActivityNanos = lastReceivedNanos;
                onText(text.text());
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                if (!closing) {
                    closing = true;
                    ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() == -1 ? CLOSE_NORMAL : close.statusCode(), ""))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            } else if (msg instanceof BinaryWebSocketFrame) {
                send(ChatWebSocketFrames.error(null, 0, GatewayError.invalid(null, "Frames are JSON text; binary frames are not accepted.")));
                close(CLOSE_UNSUPPORTED, "binary frames are not accepted");
            }
            // Pong frames only prove the peer is there (lastReceivedNanos).
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // The server's HTTP idle-state events do not apply: this door keeps its own heartbeat and idle timeout.
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("WebSocket connection failed: {}", cause.toString());
        ctx.close();
    }

    private void tick() {
        if (closing || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        if (caller == null && now - openedNanos > settings.authTimeout().toNanos()) {
            send(ChatWebSocketFrames.error(null, 0, new GatewayError(ErrorKind.AUTHENTICATION, "No auth frame within "
                    + settings.authTimeout().toMillis() + " ms; send {\"type\":\"auth\",\"api_key\":\"...\"} first.", null, "invalid_api_key", null)));
            close(CLOSE_POLICY, "authentication timed out");
            return;
        }
        if (now - lastReceivedNanos > 2 * settings.pingInterval().toNanos()) {
            close(CLOSE_GOING_AWAY, "no answer to pings for " + 2 * settings.pingInterval().toMillis() + " ms");
            return;
        }
        if (requests.isEmpty() && now - lastActivityNanos > settings.idleTimeout().toNanos()) {
            close(CLOSE_NORMAL, "idle for " + settings.idleTimeout().toMillis() + " ms");
            return;
        }
        if (now - lastPingNanos >= settings.pingInterval().toNanos()) {
            lastPingNanos = now;
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
    }

    // ---- frames from the client -------------------------------------------------------------------

    private void onText(String text) {
        if (closing) {
            return;
        }
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            send(ChatWebSocketFrames.error(null, 0, GatewayError.invalid(null, "The frame is not valid JSON: " + firstLine(e.getMessage()))));
            return;
        }
        if (frame == null || !frame.isObject()) {
            send(ChatWebSocketFrames.error(null, 0, GatewayError.invalid(null, "A frame is a JSON object with a 'type'.")));
            return;
        }
        String type = frame.path("type").isTextual() ? frame.get("type").asText() : null;
        if (caller == null) {
            if ("auth".equals(type)) {
                authenticate(frame);
            } else {
                send(ChatWebSocketFrames.error(null, 0, new GatewayError(ErrorKind.AUTHENTICATION, "Authenticate first: send "
                        + "{\"type\":\"auth\",\"api_key\":\"...\"} (or open the connection with an Authorization header).", null, "invalid_api_key", null)));
                close(CLOSE_POLICY, "not authenticated");
            }
            return;
        }
        if (type == null) {
            send(ChatWebSocketFrames.error(idOf(frame), 0, GatewayError.invalid("type", "A frame needs a 'type': request, cancel, resume, auth or ping.")));
            return;
        }
        switch (type) {
            case "request":
                request(frame);
                break;
            case "cancel":
                cancel(frame);
                break;
            case "resume":
                resume(frame);
                break;
            case "ping":
                send(ChatWebSocketFrames.simple("pong"));
                break;
            case "auth":
                send(ChatWebSocketFrames.error(null, 0, GatewayError.invalid("type", "This connection is authenticated already.")));
                break;
            default:
                send(ChatWebSocketFrames.error(idOf(frame), 0, GatewayError.invalid("type",
                        "Unknown frame type '" + shorten(type) + "'; the types are request, cancel, resume, auth and ping.")));
        }
    }

    private void authenticate(JsonNode frame) {
        JsonNode key = frame.get("api_key");
        String token = key != null && key.isTextual() && !key.asText().isBlank() ? key.asText().trim() : null;
        if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        Optional<Caller> known;
        try {
            known = token == null ? Optional.empty() : shared.authentication().authenticate(token, clientAddress);
        } catch (RuntimeException e) {
            LOG.error("authenticating a WebSocket client failed", e);
            known = Optional.empty();
        }
        if (known.isEmpty()) {
            send(ChatWebSocketFrames.error(null, 0, new GatewayError(ErrorKind.AUTHENTICATION,
                    token == null ? "The auth frame needs an 'api_key'." : "Incorrect API key provided.", "api_key", "invalid_api_key", null)));
            close(CLOSE_POLICY, "authentication failed");
            return;
        }
        GatewayError foreign = shared.originRefusal(origin, known.get());
        if (foreign != null) {
            send(ChatWebSocketFrames.error(null, 0, foreign));
            close(CLOSE_POLICY, "origin not allowed");
            return;
        }
        caller = known.get();
        send(ChatWebSocketFrames.simple("authenticated"));
    }

    /** The client's id of the request a frame is about: a string of 1 to 128 characters, else null. */
    private static String idOf(JsonNode frame) {
        JsonNode id = frame.get("id");
        return id != null && id.isTextual() && !id.asText().isEmpty() && id.asText().length() <= 128 ? id.asText() : null;
    }

    private String requireId(JsonNode frame) {
        String id = idOf(frame);
        if (id == null) {
            send(ChatWebSocketFrames.error(null, 0, GatewayError.invalid("id", "A request needs an 'id': a string of 1 to 128 characters "
                    + "that tells its answers apart from the others on the connection.")));
        }
        return id;
    }

    private boolean admit(String id) {
        if (requests.containsKey(id)) {
            send(ChatWebSocketFrames.error(id, 0, new GatewayError(ErrorKind.CONFLICT, "A request with id '" + id + "' is still in flight on this connection.",
                    "id", "duplicate_request_id", null)));
            return false;
        }
        if (requests.size() >= settings.maxRequests()) {
            send(ChatWebSocketFrames.error(id, 0, new GatewayError(ErrorKind.RATE_LIMITED, "At most " + settings.maxRequests()
                    + " requests may be in flight on one connection; wait for one to end or open another connection.", null,
                    "too_many_requests_in_flight", java.time.Duration.ofSeconds(1))));
            return false;
        }
        return true;
    }

    private void request(JsonNode frame) {
        String id = requireId(frame);
        if (id == null || !admit(id)) {
            return;
        }
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.fromHeader(null);
        JsonNode body = frame.get("body");
        if (body == null || !body.isObject()) {
            send(ChatWebSocketFrames.error(id, 0, GatewayError.invalid("body", "A request frame carries the Chat Completions request as the object 'body'.")));
            return;
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !(stream.isBoolean() && stream.asBoolean())) {
            send(ChatWebSocketFrames.error(id, 0, GatewayError.invalid("stream", "Over WebSocket every answer is streamed: leave 'stream' out or set it to true.")));
            return;
        }
        ChatCommand command;
        try {
            ((ObjectNode) body).put("stream", true);
            byte[] bytes = Json.MAPPER.writeValueAsBytes(body);
            command = ChatRequestParser.command(bytes, requestId, caller, receivedAt, clientAddress, upgradeHeaders::get, shared.forwarded());
        } catch (Exception e) {
            send(ChatWebSocketFrames.error(id, 0, GatewayExceptionHandlers.errorFor(e, EXCHANGE, requestId)));
            return;
        }
        Request request = new Request(id, false);
        requests.put(id, request);
        try {
            request.handle = shared.chat().stream(command, request);
        } catch (RuntimeException e) {
            requests.remove(id);
            send(ChatWebSocketFrames.error(id, 0, GatewayExceptionHandlers.errorFor(e, EXCHANGE, requestId)));
        }
    }

    private void resume(JsonNode frame) {
        String id = requireId(frame);
        if (id == null || !admit(id)) {
            return;
        }
        JsonNode streamId = frame.get("stream_id");
        if (streamId == null || !streamId.isTextual() || streamId.asText().isBlank()) {
            send(ChatWebSocketFrames.error(id, 0, GatewayError.invalid("stream_id", "A resume frame names the 'stream_id' its start frame gave.")));
            return;
        }
        JsonNode afterNode = frame.get("after");
        long after = 0;
        if (afterNode != null && !afterNode.isNull()) {
            if (!afterNode.canConvertToLong() || !afterNode.isIntegralNumber() || afterNode.asLong() < 0) {
                send(ChatWebSocketFrames.error(id, 0, GatewayError.invalid("after", "'after' is the seq of the last event received: a whole number, 0 or more.")));
                return;
            }
            after = afterNode.asLong();
        }
        String requestId = RequestIds.fromHeader(null);
        Request request = new Request(id, true);
        request.frames.resumedAfter(after);
        request.streamId = streamId.asText();
        requests.put(id, request);
        request.handle = shared.resume().resume(new ResumeCommand(context(requestId), streamId.asText(), after), request);
    }

    /** Who asks, for a use case called outside a chat request: this connection's key, address and trace. */
    private CallerContext context(String requestId) {
        return CallerContext.of(caller, requestId, upgradeHeaders.get("traceparent"), System.nanoTime(), clientAddress);
    }

    private void cancel(JsonNode frame) {
        String id = requireId(frame);
        if (id == null) {
            return;
        }
        Request request = requests.remove(id);
        if (request == null) {
            send(ChatWebSocketFrames.error(id, 0, new GatewayError(ErrorKind.NOT_FOUND, "No request with id '" + id + "' is in flight on this connection.",
                    "id", "request_not_found", null)));
            return;
        }
        request.cancelled = true;
        send(ChatWebSocketFrames.cancelled(id));
        request.stopUpstream();
        lastActivityNanos = System.nanoTime();
    }

    // ---- frames to the client ---------------------------------------------------------------------

    /** Writes one frame, unless more than the send buffer is already waiting for this client: then it is a slow reader. */
    private void send(String json) {
        if (closing || json.isEmpty() || !ctx.channel().isActive()) {
            return;
        }
        int bytes = ByteBufUtil.utf8Bytes(json);
        if (queuedBytes + bytes > settings.sendBuffer()) {
            slowReader();
            return;
        }
        queuedBytes += bytes;
        ctx.writeAndFlush(new TextWebSocketFrame(json)).addListener(written -> queuedBytes -= bytes);
    }

    /** The client reads slower than its answers come: close with 1008 and cancel the upstream calls. */
    private void slowReader() {
        shared.metrics().webSocket("slow_reader");
        LOG.info("WebSocket client reads too slowly ({} bytes waiting); closing with {} and cancelling {} answer(s)",
                queuedBytes, CLOSE_POLICY, requests.size());
        List<Request> stopped = new ArrayList<>(requests.values());
        requests.clear();
        for (Request request : stopped) {
            request.cancelled = true;
            request.stopUpstream();
        }
        close(CLOSE_POLICY, "slow reader: more than " + settings.sendBuffer() + " bytes waiting to be sent");
    }

    /** Starts the closing handshake; the connection goes once the close frame is written, or after a second regardless. */
    private void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        shared.metrics().webSocket("close_" + code);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
        ctx.executor().schedule(() -> {
            ctx.close();
        }, 1, TimeUnit.SECONDS);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return shorten(newline < 0 ? message : message.substring(0, newline));
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** One request (or resumed stream) in flight: hears the core and writes its frames on the connection's loop. */
    private final class Request implements NumberedStreamObserver {
        final String id;
        final boolean following;
        final ChatWebSocketFrames frames;
        Cancellable handle;
        /** Set on the core's thread as the stream starts, so that a cancel right after finds it. */
        volatile String streamId;
        boolean cancelled;
        boolean done;
        /** Set by the core's thread just before the event it numbers. */
        private long next;
        private volatile boolean resumable;
        private long window;

        Request(String id, boolean following) {
            this.id = id;
            this.following = following;
            this.frames = new ChatWebSocketFrames(id);
        }

        @Override
        public void onEventNumber(long number) {
            next = number;
        }

        @Override
        public void onResumable(long windowMillis) {
            resumable = true;
            window = windowMillis;
        }

        @Override
        public void onStart(StreamStart start) {
            long number = next;
            boolean canResume = resumable;
            long resumeWindow = window;
            streamId = start.id();
            onLoop(() -> send(frames.start(number, start, canResume, resumeWindow)));
        }

        @Override
        public void onDelta(Delta delta) {
            long number = next;
            onLoop(() -> send(frames.chunk(number, delta)));
        }

        @Override
        public void onFinish(StreamEnd end) {
            long number = next;
            onLoop(() -> {
                send(frames.end(number, end));
                finished();
            });
        }

        @Override
        public void onError(GatewayError error) {
            long number = next;
            onLoop(() -> {
                send(frames.error(number, error));
                finished();
            });
        }

        private void onLoop(Runnable action) {
            ctx.executor().execute(() -> {
                if (!cancelled && !done && !closing) {
                    action.run();
                }
            });
        }

        private void finished() {
            done = true;
            requests.remove(id, this);
            lastActivityNanos = System.nanoTime();
        }

        /** The connection went away: a resumable answer detaches and goes on; any other is cancelled. */
        void clientGone() {
            if (!done && handle != null) {
                handle.cancel();
            }
        }

        /**
         * The client cancelled it (or reads too slowly): the answer is stopped and its upstream call cancelled. A
         * read-only key's stop is refused by the core; its cancel then only detaches this connection.
         */
        void stopUpstream() {
            done = true;
            if (streamId != null && (resumable || following)) {
                shared.resume().stop(context(RequestIds.fromHeader(null)), streamId).exceptionally(refused -> false);
            }
            if (handle != null) {
                handle.cancel();
            }
        }
    }
}
