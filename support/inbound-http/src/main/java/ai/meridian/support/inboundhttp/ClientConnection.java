package ai.meridian.support.inboundhttp;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.concurrent.GenericFutureListener;

/**
 * Notices a client that goes away while its answer is still being prepared, which the framework does
 * not report before a response has started. The listener is detached when the exchange ends, so a
 * kept-alive connection does not collect one per request.
 */
public final class ClientConnection {
    private final Channel channel;
    private GenericFutureListener<ChannelFuture> listener;

    private ClientConnection(Channel channel) {
        this.channel = channel;
    }

    public static ClientConnection of(HttpRequest<?> request) {
        return new ClientConnection(request instanceof NettyHttpRequest<?> netty ? netty.getChannelHandlerContext().channel() : null);
    }

    /** Runs {@code action} if the connection closes before {@link #detach()}. */
    public synchronized void onClose(Runnable action) {
        if (channel == null) {
            return;
        }
        listener = future -> action.run();
        channel.closeFuture().addListener(listener);
    }

    /**
     * Runs {@code task} every {@code period} on the connection's event loop until the returned handle is run (a stream's
     * keep-alive events); without a connection (a test's request), never.
     */
    public Runnable every(java.time.Duration period, Runnable task) {
        if (channel == null) {
            return () -> { };
        }
        long nanos = period.toNanos();
        io.netty.util.concurrent.ScheduledFuture<?> timer = channel.eventLoop()
                .scheduleAtFixedRate(task, nanos, nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        return () -> timer.cancel(false);
    }

    public synchronized void detach() {
        if (channel != null && listener != null) {
            channel.closeFuture().removeListener(listener);
            listener = null;
        }
    }
}
