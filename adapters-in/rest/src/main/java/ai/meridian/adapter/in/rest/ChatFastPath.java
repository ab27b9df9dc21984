package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.Credentials;
import ai.meridian.support.inboundhttp.ErrorResponses;
import ai.meridian.support.inboundhttp.GatewayExceptionHandlers;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.openaiwire.ChatRequestParser;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GenericFutureListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code POST /v1/chat/completions} straight from the connection's Netty pipeline, ahead of the
 * framework's router, filters and body binding, which cost more CPU per request than the proxying itself.
 * It takes only the plain case: HTTP/1.1, exactly that path, a valid key, a declared body within the size
 * limit, no {@code Expect}, no compressed body, no {@code Origin} (CORS is the framework's), an {@code Accept} the
 * endpoint can meet. Everything else
 * (other paths, bad keys, chunked or oversized bodies, HTTP/1.0) goes on to the framework unchanged, which
 * answers it with the same errors as before. Both paths share the parser, the use case and the writers.
 *
 * <p>One instance per connection; all state is touched on the connection's event loop only. Pipelined
 * requests keep their order: a request is taken here only while the framework owes no response on the
 * connection, and requests that arrive while an answer is under way here wait until it is written.
 */
final class ChatFastPath extends ChannelDuplexHandler {
    static final String NAME = "meridian-chat-fast-path";
    private static final String PATH = "/v1/chat/completions";
    private static final String EXCHANGE = "POST " + PATH;
    private static final int INITIAL_BODY_BYTES = 16 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(ChatFastPath.class);

    /** What every connection's handler shares: the use cases (looked up once, lazily) and the limits. */
    static final class Shared {
        private final Supplier<CompleteChatUseCase> chatSupplier;
        private final Supplier<AuthenticateCallerUseCase> authenticationSupplier;
        private final Supplier<ForwardedHeaders> forwardedSupplier;
        private final long maxBodyBytes;
        private final int compressionThreshold;
        private final int compressionLevel;
        private volatile CompleteChatUseCase chat;
        private volatile AuthenticateCallerUseCase authentication;
        private volatile ForwardedHeaders forwarded;
        private volatile long dateSecond;
        private volatile String date;

        Shared(Supplier<CompleteChatUseCase> chat, Supplier<AuthenticateCallerUseCase> authentication,
               Supplier<ForwardedHeaders> forwarded, long maxBodyBytes, int compressionThreshold, int compressionLevel) {
            this.chatSupplier = chat;
            this.authenticationSupplier = authentication;
            this.forwardedSupplier = forwarded;
            this.maxBodyBytes = maxBodyBytes;
            this.compressionThreshold = compressionThreshold;
            this.compressionLevel = compressionLevel;
        }

        CompleteChatUseCase chat() {
            CompleteChatUseCase known = chat;
            return known != null ? known : (chat = chatSupplier.get());
        }

        ForwardedHeaders forwarded() {
            ForwardedHeaders known = forwarded;
            return known != null ? known : (forwarded = forwardedSupplier.get());
        }

        AuthenticateCallerUseCase authentication() {
            AuthenticateCallerUseCase known = authentication;
            return known != null ? known : (authentication = authenticationSupplier.get());
        }

        /** The {@code date} header, formatted once a second rather than once a request. */
        String date() {
            long now = System.currentTimeMillis();
            long second = now / 1000;
            String known = date;
            if (known == null || second != dateSecond) {
                known = DateFormatter.format(new Date(now));
                date = known;
                dateSecond = second;
            }
            return known;
        }
    }

    private final Shared shared;
    private final ArrayDeque<Object> held = new ArrayDeque<>(2);
    private ChannelHandlerContext ctx;
    /** The request taken here, from its head until its answer is written; null when none. */
    private Exchange exchange;
    /** Requests handed to the framework whose responses have not been written to the end yet. */
    private int frameworkOwes;
    /** The framework asked for more input while requests were held back; asked again once they are let through. */
    private boolean readWanted;

    ChatFastPath(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        releaseHeld();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answering() || !held.isEmpty()) {
            held.add(msg);
            return;
        }
        route(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // While requests wait behind an answer under way, reading more would only pile them up.
        if (!held.isEmpty()) {
            readWanted = true;
            return;
        }
        ctx.read();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Only the framework's writes pass here (this handler writes from its own context, below it).
        if (msg instanceof LastHttpContent && !(msg instanceof HttpResponse response
                && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) && frameworkOwes > 0) {
            frameworkOwes--;
        }
        ctx.write(msg, promise);
    }

    private boolean answering() {
        return exchange != null && exchange.answering;
    }

    /** Takes the message here or hands it to the framework; true when handed on. */
    private boolean route(Object msg) {
        if (msg instanceof HttpRequest request) {
            Exchange taken = exchange == null && frameworkOwes == 0 ? take(request) : null;
            if (taken == null) {
                frameworkOwes++;
                ctx.fireChannelRead(msg);
                return true;
            }
            exchange = taken;
            if (msg instanceof HttpContent content) {
                body(content);
            }
            return false;
        }
        if (msg instanceof HttpContent content && exchange != null && !exchange.answering) {
            body(content);
            return false;
        }
        ctx.fireChannelRead(msg);
        return true;
    }

    /** The exchange when this request is the plain case this path answers, else null (the framework answers it). */
    private Exchange take(HttpRequest request) {
        if (request.decoderResult().isFailure() || request.method() != HttpMethod.POST
                || request.protocolVersion() != HttpVersion.HTTP_1_1 || !PATH.equals(request.uri())) {
            return null;
        }
        HttpHeaders headers = request.headers();
        Coding coding = coding(headers.get(HttpHeaderNames.ACCEPT_ENCODING));
        if (headers.contains(HttpHeaderNames.EXPECT) || headers.contains(HttpHeaderNames.CONTENT_ENCODING) || headers.contains(HttpHeaderNames.ORIGIN)
                || headers.contains(HttpHeaderNames.TRANSFER_ENCODING) || !acceptable(headers.get(HttpHeaderNames.ACCEPT))
                || coding == Coding.OTHER) {
            return null;
        }
        long length;
        try {
            length = HttpUtil.getContentLength(request, -1L);
        } catch (NumberFormatException e) {
            return null;
        }
        if (length < 0 || length > shared.maxBodyBytes) {
            return null;
        }
        // Only a well-presented, accepted key is taken here; anything else the framework refuses the usual way.
        if (!(Credentials.extract(headers.getAll(HttpHeaderNames.AUTHORIZATION), List.of(), Credentials.Scheme.BEARER)
                instanceof Credentials.Token token)) {
            return null;
        }
        String clientAddress = clientAddress();
        Caller caller;
        try {
            caller = shared.authentication().check(token.value(), clientAddress).orElse(null); // refused: the framework's path records it
        } catch (RuntimeException e) {
            return null; // the framework asks again and answers the failure the usual way
        }
        return caller == null ? null : new Exchange(request, caller, clientAddress, coding == Coding.GZIP, length);
    }

    private String clientAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null
                ? remote.getAddress().getHostAddress() : "";
    }

    /** An Accept the endpoint can meet (JSON or SSE); anything else gets the framework's 406. */
    private static boolean acceptable(String accept) {
        if (accept == null || accept.isEmpty()) {
            return true;
        }
        for (String range : accept.split(",")) {
            int parameters = range.indexOf(';');
            String type = (parameters < 0 ? range : range.substring(0, parameters)).trim();
            if (type.equals("*/*") || type.equals("application/*") || type.equals("application/json")
                    || type.equals("text/*") || type.equals("text/event-stream")) {
                return true;
            }
        }
        return false;
    }

    private void body(HttpContent content) {
        Exchange x = exchange;
        try {
            ByteBuf bytes = content.content();
            int n = (int) Math.min(bytes.readableBytes(), x.declaredLength - x.filled);
            if (x.filled + n > x.body.length) {
                // Grown as the bytes come, not as declared: a declared size alone must not claim memory.
                x.body = Arrays.copyOf(x.body, (int) Math.min(x.declaredLength, Math.max(2L * x.body.length, x.filled + n)));
            }
            bytes.readBytes(x.body, x.filled, n);
            x.filled += n;
        } finally {
            content.release();
        }
        if (content.decoderResult().isFailure()) {
            // The body was cut off (the client left mid-request): there is nothing whole to answer.
            retire(x);
            ctx.close();
            return;
        }
        if (content instanceof LastHttpContent) {
            x.answering = true;
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} taken on the fast path (request {})", EXCHANGE, x.requestId);
            }
            answer(x);
        }
    }

    private void answer(Exchange x) {
        ChatCommand command;
        try {
            byte[] body = x.filled == x.body.length ? x.body : Arrays.copyOf(x.body, x.filled);
            command = ChatRequestParser.command(body, x.requestId, x.caller, x.receivedAt, x.clientAddress, x.headers::get,
                    shared.forwarded());
        } catch (RuntimeException e) {
            fail(x, e);
            return;
        }
        x.watchClient();
        try {
            if (command.request().stream()) {
                x.events = new SseEvents(command.request().includeUsage());
                x.onCancel(shared.chat().stream(command, new StreamWriter(x)));
            } else {
                CompletableFuture<ChatReply> reply = shared.chat().complete(command);
                x.onCancel(() -> reply.cancel(false));
                reply.whenComplete((r, e) -> onLoop(x, () -> {
                    if (e != null) {
                        fail(x, e);
                    } else {
                        complete(x, r);
                    }
                }));
            }
        } catch (RuntimeException e) {
            fail(x, e);
        }
    }

    private void complete(Exchange x, ChatReply reply) {
        if (x.ended) {
            return;
        }
        FullHttpResponse response = full(x, HttpResponseStatus.OK, OpenAiJsonWriter.completion(reply));
        AnswerHeaders.write(x.requestId, reply.servedBy(), reply.conversationId(), reply.rateLimit(), response.headers()::set);
        end(x, response);
    }

    private void fail(Exchange x, Throwable failure) {
        if (x.ended) {
            return;
        }
        try {
            answerError(x, failure);
        } catch (RuntimeException e) {
            // Not even an error could be written: end the exchange and the connection, so nothing waits on it.
            LOG.error("could not answer {} (request {})", EXCHANGE, x.requestId, e);
            retire(x);
            ctx.close();
        }
    }

    private void answerError(Exchange x, Throwable failure) {
        GatewayError error = GatewayExceptionHandlers.errorFor(failure, EXCHANGE, x.requestId);
        if (x.headSent) {
            String event = x.events != null ? x.events.errorEvent(error) : SseEvents.error(error);
            if (!event.isEmpty()) {
                ctx.write(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), event)));
            }
            end(x, LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        FullHttpResponse response = full(x, HttpResponseStatus.valueOf(error.httpStatus()), OpenAiJsonWriter.error(error));
        ErrorResponses.writeHeaders(x.requestId, error, response.headers()::set);
        end(x, response);
    }

    /** A whole JSON response, gzipped when the client accepts it and it is big enough to gain from it. */
    private FullHttpResponse full(Exchange x, HttpResponseStatus status, byte[] json) {
        boolean compress = x.gzip && shared.compressionThreshold >= 0 && json.length >= shared.compressionThreshold;
        byte[] body = compress ? gzip(json, shared.compressionLevel) : json;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        if (compress) {
            headers.set(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP);
            headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
        }
        head(x, headers);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    private void head(Exchange x, HttpHeaders headers) {
        headers.set(HttpHeaderNames.DATE, shared.date());
        if (!x.keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    private static byte[] gzip(byte[] bytes, int level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 32);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(level);
            }
        }) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the last of the answer, then lets through whatever waited behind it. */
    private void end(Exchange x, Object last) {
        retire(x);
        if (!ctx.channel().isActive()) {
            ReferenceCountUtil.release(last);
            return;
        }
        ChannelFuture written = ctx.writeAndFlush(last);
        if (!x.keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        letHeldThrough();
    }

    /** The exchange is over (answered or abandoned): no more writes for it, no watching its client. */
    private void retire(Exchange x) {
        x.ended = true;
        x.stopWatchingClient();
        if (exchange == x) {
            exchange = null;
        }
    }

    private void letHeldThrough() {
        boolean handedOn = false;
        while (!held.isEmpty() && !answering()) {
            handedOn |= route(held.poll());
        }
        if (handedOn) {
            ctx.fireChannelReadComplete();
        }
        if (held.isEmpty() && readWanted) {
            readWanted = false;
            ctx.read();
        }
    }

    private void releaseHeld() {
        Object msg;
        while ((msg = held.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Runs a step of {@code x}'s answer on the connection's event loop. A step that throws fails the answer
     * (a 500, or an error event once streaming) rather than leaving the connection waiting for it forever.
     */
    private void onLoop(Exchange x, Runnable action) {
        Runnable guarded = () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                fail(x, e);
            }
        };
        if (ctx.executor().inEventLoop()) {
            guarded.run();
        } else {
            ctx.executor().execute(guarded);
        }
    }

    /**
     * Writes a streamed answer as server-sent events, each the moment it arrives with its event number as the SSE
     * {@code id}; the head waits for the first token. A stream another backend continued mid-way ends with the
     * {@code x-meridian-mid-stream-fallback} trailer (declared in the head).
     */
    private final class StreamWriter implements NumberedStreamObserver {
        private final Exchange x;
        /** The number of the event the core delivers next; read on the calling thread, rendered on the loop. */
        private long next;
        private boolean resumable;

        StreamWriter(Exchange x) {
            this.x = x;
        }

        @Override
        public void onEventNumber(long number) {
            next = number;
        }

        @Override
        public void onResumable(long windowMillis) {
            resumable = true;
        }

        @Override
        public void onStart(StreamStart start) {
            long number = next;
            boolean canResume = resumable;
            onLoop(x, () -> {
                if (x.ended) {
                    return;
                }
                x.events.number(number);
                x.events.start(start);
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpHeaders headers = head.headers();
                headers.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                headers.set(HttpHeaderNames.TRAILER, AnswerHeaders.MID_STREAM_FALLBACK);
                AnswerHeaders.writeStream(x.requestId, start.servedBy(), start.conversationId(), start.rateLimit(), headers::set);
                if (canResume) {
                    headers.set(AnswerHeaders.STREAM_ID, start.id());
                }
                head(x, headers);
                x.headSent = true;
                ctx.write(head);
                // The first delta usually follows at once and takes the head along in its flush; if not, this sends it.
                ctx.executor().execute(ctx::flush);
            });
        }

        @Override
        public void onDelta(Delta delta) {
            long number = next;
            onLoop(x, () -> {
                if (!x.ended) {
                    x.events.number(number);
                    String event = x.events.delta(delta);
                    if (!event.isEmpty()) {
                        ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), event)));
                    }
                }
            });
        }

        @Override
        public void onFinish(StreamEnd end) {
            long number = next;
            onLoop(x, () -> {
                if (!x.ended) {
                    x.events.number(number);
                    ctx.write(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), x.events.finish(end))));
                    LastHttpContent last = LastHttpContent.EMPTY_LAST_CONTENT;
                    if (!end.switches().isEmpty()) {
                        last = new io.netty.handler.codec.http.DefaultLastHttpContent();
                        last.trailingHeaders().set(AnswerHeaders.MID_STREAM_FALLBACK, OpenAiJsonWriter.midStreamFallbackTrailer(end.switches()));
                    }
                    end(x, last);
                }
            });
        }

        @Override
        public void onError(GatewayError error) {
            long number = next;
            onLoop(x, () -> {
                if (x.events != null && x.headSent) {
                    x.events.number(number);
                }
                fail(x, new GatewayException(error));
            });
        }
    }

    /** One request taken here: what it said, its body as it arrives, and how far its answer got. */
    private final class Exchange {
        final long receivedAt = System.nanoTime();
        final HttpHeaders headers;
        final String requestId;
        final Caller caller;
        final String clientAddress;
        final boolean keepAlive;
        final boolean gzip;
        final long declaredLength;
        byte[] body;
        int filled;
        boolean answering;
        boolean headSent;
        boolean ended;
        SseEvents events;
        private Cancellable cancel;
        private boolean clientGone;
        private GenericFutureListener<ChannelFuture> closeListener;

        Exchange(HttpRequest request, Caller caller, String clientAddress, boolean gzip, long declaredLength) {
            this.headers = request.headers();
            this.requestId = RequestIds.fromHeader(headers.get(RequestIds.HEADER));
            this.caller = caller;
            this.clientAddress = clientAddress;
            this.keepAlive = HttpUtil.isKeepAlive(request);
            this.gzip = gzip;
            this.declaredLength = declaredLength;
            this.body = new byte[(int) Math.min(declaredLength, INITIAL_BODY_BYTES)];
        }

        /** A client that goes away while its answer is under way cancels the upstream call. */
        void watchClient() {
            closeListener = future -> {
                clientGone = true;
                if (cancel != null) {
                    cancel.cancel();
                }
            };
            ctx.channel().closeFuture().addListener(closeListener);
        }

        void stopWatchingClient() {
            if (closeListener != null) {
                ctx.channel().closeFuture().removeListener(closeListener);
                closeListener = null;
            }
        }

        void onCancel(Cancellable action) {
            cancel = action;
            if (clientGone) {
                action.cancel();
            }
        }
    }

    /** How the answer may be compressed: not at all, gzip, or a coding only the framework's path offers. */
    enum Coding { IDENTITY, GZIP, OTHER }

    /**
     * The framework's choice of coding for this {@code Accept-Encoding} (the same rules: q-values; br, zstd,
     * snappy, gzip, deflate in that order of preference; {@code *} for any not named), assuming every coding is
     * available. When it is not gzip or none, the framework's path answers, so both paths agree.
     */
    static Coding coding(String acceptEncoding) {
        if (acceptEncoding == null || acceptEncoding.isBlank()) {
            return Coding.IDENTITY;
        }
        float star = -1f;
        float br = -1f;
        float zstd = -1f;
        float snappy = -1f;
        float gzip = -1f;
        float deflate = -1f;
        for (String encoding : acceptEncoding.split(",")) {
            float q = 1f;
            int equals = encoding.indexOf('=');
            if (equals != -1) {
                try {
                    q = Float.parseFloat(encoding.substring(equals + 1));
                } catch (NumberFormatException e) {
                    q = 0f;
                }
            }
            if (encoding.contains("*")) {
                star = q;
            } else if (encoding.contains("br") && q > br) {
                br = q;
            } else if (encoding.contains("zstd") && q > zstd) {
                zstd = q;
            } else if (encoding.contains("snappy") && q > snappy) {
                snappy = q;
            } else if (encoding.contains("gzip") && q > gzip) {
                gzip = q;
            } else if (encoding.contains("deflate") && q > deflate) {
                deflate = q;
            }
        }
        if (br > 0f || zstd > 0f || snappy > 0f || gzip > 0f || deflate > 0f) {
            if (br != -1f && br >= zstd || zstd != -1f && zstd >= snappy || snappy != -1f && snappy >= gzip) {
                return Coding.OTHER;
            }
            if (gzip != -1f && gzip >= deflate) {
                return Coding.GZIP;
            }
            if (deflate != -1f) {
                return Coding.OTHER;
            }
        }
        if (star > 0f) {
            return br == -1f || zstd == -1f || snappy == -1f ? Coding.OTHER : gzip == -1f ? Coding.GZIP : deflate == -1f ? Coding.OTHER : Coding.IDENTITY;
        }
        return Coding.IDENTITY;
    }
}
