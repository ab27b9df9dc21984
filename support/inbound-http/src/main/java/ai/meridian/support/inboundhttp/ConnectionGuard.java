package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every HTTP/1 connection gets before any request reaches the gateway, whichever path answers it
 * (the chat fast path or the framework):
 * <ul>
 *   <li>a cap on open connections per client address: one more is answered 429 and closed;</li>
 *   <li>a deadline for a request's head from its first byte, and one for its body from the head: a client
 *       that sends a byte a second (slowloris) is answered 408 and closed when the deadline passes;</li>
 *   <li>half-closed clients (that shut down their sending side after the request) still get their answer:
 *       the connection is closed when the answers under way are written, not at once;</li>
 *   <li>while the gateway drains for shutdown, new requests are answered 503 with {@code Connection: close}
 *       (health and metrics still answer), and the requests under way are counted so the drain knows when
 *       they are done.</li>
 * </ul>
 * Two handlers per connection share its state: {@link Bytes} sits before the HTTP codec and sees raw bytes
 * (a request's first byte starts the head deadline), {@link Messages} right after it and sees requests and
 * responses. Everything runs on the connection's event loop.
 */
final class ConnectionGuard {
    static final String BYTES = "meridian-guard-bytes";
    static final String MESSAGES = "meridian-guard-messages";
    /** When a half-closed connection is probed: at once, then again (the reset arrives after the first write). */
    private static final long[] PROBE_DELAYS_MS = {0, 200, 1000, 5000};
    private static final byte[] SSE_COMMENT = ":\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The limits, and what all connections share: counts per address, requests in flight, draining. */
    static final class Shared {
        private final Duration headerTimeout;
        private final Duration bodyTimeout;
        private final int maxPerAddress;
        private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final Set<Channel> open = ConcurrentHashMap.newKeySet();
        private final List<ProtocolDoor> doors;
        private volatile boolean draining;

        /** {@code doors}: the protocols whose paths get their errors in their own shape (OpenAI's elsewhere). */
        Shared(Duration headerTimeout, Duration bodyTimeout, int maxPerAddress, List<ProtocolDoor> doors) {
            this.doors = List.copyOf(doors);
            if (headerTimeout.isNegative() || headerTimeout.isZero() || bodyTimeout.isNegative() || bodyTimeout.isZero()) {
                throw new IllegalArgumentException("meridian.http.request-header-timeout and request-body-timeout must be positive");
            }
            if (maxPerAddress < 1) {
                throw new IllegalArgumentException("meridian.http.max-connections-per-address must be at least 1");
            }
            this.headerTimeout = headerTimeout;
            this.bodyTimeout = bodyTimeout;
            this.maxPerAddress = maxPerAddress;
        }

        int inFlight() {
            return inFlight.get();
        }

        int openConnections() {
            return open.size();
        }

        /** From now on new requests are refused; connections with nothing under way are closed now. */
        void startDraining() {
            draining = true;
            for (Channel channel : open) {
                channel.eventLoop().execute(() -> {
                    Messages messages = channel.pipeline().get(Messages.class);
                    if (messages != null) {
                        messages.closeWhenIdle();
                    }
                });
            }
        }

        boolean draining() {
            return draining;
        }
    }

    private final Shared shared;
    private Channel channel;
    /** Where raw answers are written from: below the HTTP codec, above TLS when there is any. */
    private ChannelHandlerContext raw;
    private InetAddress address;
    private boolean counted;
    /** Requests whose answers are not written to the end yet. */
    private int outstanding;
    /** A request's head or body is being received. */
    private boolean receivingHead;
    private boolean receivingBody;
    /** The body of a refused request is read and dropped. */
    private boolean discardingBody;
    private boolean closeWhenDone;
    private ScheduledFuture<?> deadline;
    /** The answer under way has its head written; it is a server-sent event stream. */
    private boolean responseStarted;
    private boolean eventStream;
    private boolean http11 = true;
    /** The connection was switched to another protocol (a WebSocket): no more HTTP requests, so no deadlines for them. */
    private boolean upgraded;
    /** The URI of the request being received or answered last (null before its head): its door words the guard's errors. */
    private String uri;

    ConnectionGuard(Shared shared) {
        this.shared = shared;
    }

    Bytes bytes() {
        return new Bytes();
    }

    Messages messages() {
        return new Messages();
    }

    private void arm(ChannelHandlerContext ctx, Duration timeout, String what) {
        disarm();
        deadline = ctx.executor().schedule(() -> timedOut(what), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void timedOut(String what) {
        deadline = null;
        if (!channel.isActive()) {
            return;
        }
        if (outstanding > (receivingHead ? 0 : 1)) {
            channel.close(); // an answer is being written: no room for another on this connection
            return;
        }
        GatewayError error = new GatewayError(ErrorKind.INVALID_REQUEST, "The request's " + what + " did not arrive within "
                + (what.equals("head") ? shared.headerTimeout : shared.bodyTimeout).toSeconds() + " s.", null, "request_timeout", null);
        writeRaw(HttpResponseStatus.REQUEST_TIMEOUT, error);
    }

    /**
     * The error body in the protocol of the request it answers: its door's, else OpenAI's (also before any head).
     * Looked up only here, when the guard itself answers, not for every request.
     */
    private byte[] errorBody(GatewayError error) {
        if (uri == null) {
            return ErrorResponses.openAiBody(error);
        }
        int query = uri.indexOf('?');
        return ProtocolDoor.forPath(shared.doors, query < 0 ? uri : uri.substring(0, query))
                .map(door -> door.errorBody(error)).orElseGet(() -> ErrorResponses.openAiBody(error));
    }

    /** An error answered below the HTTP codec, as bytes, and the connection closed. */
    private void writeRaw(HttpResponseStatus status, GatewayError error) {
        byte[] body = errorBody(error);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status.code()).append(' ').append(status.reasonPhrase())
                .append("\r\ncontent-type: application/json\r\ncontent-length: ").append(body.length)
                .append("\r\nconnection: close\r\n");
        if (error.retryAfter() != null) {
            head.append("retry-after: ").append(Math.max(1, error.retryAfter().toSeconds())).append("\r\n");
        }
        ByteBuf bytes = Unpooled.wrappedBuffer(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII), body);
        raw.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
    }

    /** Before the HTTP codec: the connection cap, and the first byte of each request. */
    final class Bytes extends ChannelDuplexHandler {
        private boolean activated;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            raw = ctx;
            if (ctx.channel().isActive()) {
                activate(ctx); // added after the connection became active: no channelActive will come
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            activate(ctx);
            super.channelActive(ctx);
        }

        private void activate(ChannelHandlerContext ctx) {
            if (activated) {
                return;
            }
            activated = true;
            channel = ctx.channel();
            shared.open.add(channel);
            if (channel.remoteAddress() instanceof InetSocketAddress remote) {
                address = remote.getAddress();
                int now = shared.perAddress.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
                counted = true;
                if (now > shared.maxPerAddress) {
                    writeRaw(HttpResponseStatus.TOO_MANY_REQUESTS, new GatewayError(ErrorKind.RATE_LIMITED,
                            "Too many connections from your address (at most " + shared.maxPerAddress + ").", null,
                            "too_many_connections", Duration.ofSeconds(1)));
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            disarm();
            shared.open.remove(ctx.channel());
            if (counted) {
                counted = false;
                shared.perAddress.computeIfPresent(address, (a, count) -> count.decrementAndGet() <= 0 ? null : count);
            }
            if (outstanding > 0) {
                shared.inFlight.addAndGet(-outstanding);
                outstanding = 0;
            }
            super.channelInactive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf bytes && bytes.isReadable() && !receivingHead && !receivingBody && !upgraded) {
                // The first byte of a request (or of bytes after one): its head is due within the deadline.
                receivingHead = true;
                uri = null; // its door is not known until this request's head is read
                arm(ctx, shared.headerTimeout, "head");
            }
            super.channelRead(ctx, msg);
        }
    }

    /** After the HTTP codec: requests in, responses out, half-closure, draining. */
    final class Messages extends ChannelDuplexHandler {
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void closeWhenIdle() {
            if (outstanding == 0 && !receivingBody) {
                ctx.close();
            } else {
                closeWhenDone = true;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof HttpRequest request) {
                receivingHead = false;
                uri = request.uri();
                boolean whole = msg instanceof LastHttpContent;
                receivingBody = !whole;
                if (receivingBody) {
                    arm(ctx, shared.bodyTimeout, "body");
                } else {
                    disarm();
                }
                if (shared.draining && !exempt(request.uri())) {
                    discardingBody = receivingBody;
                    ReferenceCountUtil.release(msg);
                    refuseWhileDraining(ctx);
                    return;
                }
                outstanding++;
                shared.inFlight.incrementAndGet();
                http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
                ctx.fireChannelRead(msg);
                return;
            }
            if (msg instanceof LastHttpContent) {
                receivingBody = false;
                disarm();
            }
            if (discardingBody && msg instanceof HttpContent) {
                discardingBody = !(msg instanceof LastHttpContent);
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.fireChannelRead(msg);
        }

        private void refuseWhileDraining(ChannelHandlerContext ctx) {
            GatewayError error = new GatewayError(ErrorKind.UNAVAILABLE, "The gateway is shutting down; retry the request.", null,
                    null, Duration.ofSeconds(1));
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Unpooled.wrappedBuffer(errorBody(error)));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set("retry-after", "1");
            closeWhenDone = true;
            if (outstanding == 0) {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                // Answers to earlier requests are still being written; this one would come out of order.
                ReferenceCountUtil.release(response);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpResponse response && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                // The upgrade request is answered: what follows is the other protocol's (frames, its own heartbeat and
                // idle limits). The head deadline must not catch a frame, nor the drain wait for an upgraded connection.
                upgraded = true;
                receivingHead = false;
                receivingBody = false;
                disarm();
                if (outstanding > 0) {
                    outstanding--;
                    shared.inFlight.decrementAndGet();
                }
                ctx.write(msg, promise);
                return;
            }
            if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                responseStarted = true;
                String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
                eventStream = type != null && type.startsWith("text/event-stream");
            }
            if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                    && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) && outstanding > 0) {
                outstanding--;
                shared.inFlight.decrementAndGet();
                responseStarted = false;
                eventStream = false;
                if (outstanding == 0 && closeWhenDone && !receivingBody) {
                    ctx.write(msg, promise.unvoid()).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
            }
            ctx.write(msg, promise);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof ChannelInputShutdownEvent) {
                // The client will send nothing more. A request it had not finished never will be; answers
                // under way are written first, then the connection is closed.
                if (receivingHead || receivingBody || outstanding == 0) {
                    ctx.close();
                } else {
                    closeWhenDone = true;
                    probe(ctx, 0);
                }
            }
            super.userEventTriggered(ctx, evt);
        }

        /**
         * A client that shut down only its sending side still reads; one that closed its socket answers
         * whatever it is sent with a reset, and the next write fails and closes the connection, which cancels
         * the work for it. So while an answer is awaited, something the client ignores is sent a few times:
         * an interim {@code 100 Continue} before the answer's head, a comment line in an event stream.
         */
        private void probe(ChannelHandlerContext ctx, int round) {
            if (!ctx.channel().isActive() || outstanding == 0 || round >= PROBE_DELAYS_MS.length) {
                return;
            }
            if (!responseStarted && http11) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            } else if (eventStream) {
                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(SSE_COMMENT)));
            } else {
                return; // a body under way: its own writes will find out
            }
            if (round + 1 < PROBE_DELAYS_MS.length) {
                ctx.executor().schedule(() -> probe(ctx, round + 1), PROBE_DELAYS_MS[round + 1], TimeUnit.MILLISECONDS);
            }
        }
    }

    /** What answers while draining: orchestrators keep asking for readiness, Prometheus for metrics. */
    private static boolean exempt(String uri) {
        return uri.startsWith("/health") || uri.startsWith("/metrics");
    }
}
