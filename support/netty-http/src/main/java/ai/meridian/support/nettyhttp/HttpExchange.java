package ai.meridian.support.nettyhttp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request/response on a pooled connection. Everything here runs on the pool's event loop. A request
 * written on a reused connection that the upstream closed before answering is sent once more on a fresh
 * connection: keep-alive races are not the backend's failure.
 */
public final class HttpExchange {
    private final ConnectionPool pool;
    private final FullHttpRequest request;
    private final ResponseHandler handler;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>(2);
    private Channel channel;
    private boolean reused;
    private boolean retriedStale;
    private boolean headReceived;
    private boolean receivedAnything;
    private boolean keepAlive;
    private boolean done;
    /** When the last bytes of the response arrived (or the request was sent), on {@link System#nanoTime()}'s clock. */
    private long lastReadNanos = System.nanoTime();

    HttpExchange(ConnectionPool pool, FullHttpRequest request, ResponseHandler handler) {
        this.pool = pool;
        this.request = request;
        this.handler = handler;
    }

    public EventLoop eventLoop() {
        return pool.eventLoop();
    }

    /** Runs {@code task} on the event loop after the delay unless the exchange has ended by then. */
    public void schedule(Runnable task, long delay, TimeUnit unit) {
        Runnable guarded = () -> {
            if (!done) {
                task.run();
            }
        };
        if (pool.eventLoop().inEventLoop()) {
            timers.add(pool.eventLoop().schedule(guarded, delay, unit));
        } else {
            pool.eventLoop().execute(() -> timers.add(pool.eventLoop().schedule(guarded, delay, unit)));
        }
    }

    /**
     * From now on, a silence of {@code limit} between bytes of the response ends the exchange with
     * {@code onSilence}'s failure. One timer, moved on only when it fires, rather than one per read.
     */
    public void watchSilence(long limitNanos, java.util.function.Supplier<Throwable> onSilence) {
        Runnable start = () -> {
            lastReadNanos = System.nanoTime();
            checkSilence(limitNanos, onSilence);
        };
        if (pool.eventLoop().inEventLoop()) {
            start.run();
        } else {
            pool.eventLoop().execute(start);
        }
    }

    private void checkSilence(long limitNanos, java.util.function.Supplier<Throwable> onSilence) {
        if (done) {
            return;
        }
        long quiet = System.nanoTime() - lastReadNanos;
        if (quiet >= limitNanos) {
            abort(onSilence.get());
            return;
        }
        timers.add(pool.eventLoop().schedule(() -> checkSilence(limitNanos, onSilence), limitNanos - quiet, TimeUnit.NANOSECONDS));
    }

    /** Cancels from any thread: closes the connection (the upstream sees the client go) and stays silent. */
    public void cancel() {
        if (pool.eventLoop().inEventLoop()) {
            abort(null);
        } else {
            pool.eventLoop().execute(() -> abort(null));
        }
    }

    /** Ends the exchange now; with a cause the handler hears it as a failure. Runs on the event loop. */
    public void abort(Throwable cause) {
        if (done) {
            return;
        }
        finish(false);
        if (channel == null) {
            pool.forget(this);
        }
        if (cause != null) {
            handler.onFailure(cause, headReceived);
        }
    }

    void start() {
        pool.acquire(this);
    }

    void onAcquired(Channel acquired, boolean wasReused) {
        if (done) {
            pool.release(acquired, true);
            return;
        }
        channel = acquired;
        reused = wasReused;
        acquired.attr(ConnectionPool.EXCHANGE).set(this);
        acquired.writeAndFlush(request.retainedDuplicate()).addListener(f -> {
            if (!f.isSuccess()) {
                onConnectionLost(f.cause());
            }
        });
    }

    void onAcquireFailed(Throwable cause) {
        if (done) {
            return;
        }
        done = true;
        cancelTimers();
        request.release();
        handler.onFailure(cause, false);
    }

    void onMessage(HttpObject message) {
        try {
            if (done) {
                return;
            }
            receivedAnything = true;
            lastReadNanos = System.nanoTime();
            if (message.decoderResult().isFailure()) {
                Throwable cause = message.decoderResult().cause();
                abort(cause instanceof PrematureChannelClosureException
                        ? new ConnectionClosedException("upstream closed the connection in the middle of the response")
                        : new UpstreamProtocolException("malformed HTTP from upstream: " + cause.getMessage()));
                return;
            }
            if (message instanceof HttpResponse head) {
                headReceived = true;
                keepAlive = HttpUtil.isKeepAlive(head);
                handler.onHead(head);
            }
            if (!done && message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                if (bytes.isReadable()) {
                    handler.onContent(bytes);
                }
                if (!done && content instanceof LastHttpContent) {
                    finish(keepAlive);
                    handler.onEnd();
                }
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    void onConnectionLost(Throwable cause) {
        if (done) {
            return;
        }
        if (reused && !receivedAnything && !retriedStale) {
            retriedStale = true;
            Channel stale = channel;
            channel = null;
            stale.attr(ConnectionPool.EXCHANGE).set(null);
            pool.release(stale, false);
            pool.acquireFresh(this);
            return;
        }
        abort(cause != null ? cause : new ConnectionClosedException(
                headReceived ? "upstream closed the connection in the middle of the response" : "upstream closed the connection before responding"));
    }

    private void finish(boolean reusable) {
        done = true;
        cancelTimers();
        request.release();
        Channel ch = channel;
        if (ch != null) {
            channel = null;
            ch.attr(ConnectionPool.EXCHANGE).set(null);
            pool.release(ch, reusable);
        }
    }

    private void cancelTimers() {
        for (ScheduledFuture<?> timer : timers) {
            timer.cancel(false);
        }
        timers.clear();
    }
}
