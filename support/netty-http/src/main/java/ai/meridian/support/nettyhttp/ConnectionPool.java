package ai.meridian.support.nettyhttp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to one upstream, owned by one event loop: no locks, no thread hops. Idle
 * connections are reused newest first and closed after the idle timeout; past the connection limit,
 * requests wait in order.
 */
final class ConnectionPool {
    static final AttributeKey<HttpExchange> EXCHANGE = AttributeKey.valueOf("meridian.exchange");

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress address;
    private final int maxConnections;
    private final ArrayDeque<Channel> idle = new ArrayDeque<>();
    private final ArrayDeque<HttpExchange> waiting = new ArrayDeque<>();
    private int open;

    ConnectionPool(EventLoop loop, Class<? extends SocketChannel> channelType, UpstreamEndpoint endpoint, HttpClientOptions options) {
        this.loop = loop;
        this.address = InetSocketAddress.createUnresolved(endpoint.host(), endpoint.port());
        this.maxConnections = options.maxConnectionsPerLoop();
        SslContext ssl = endpoint.sslContext();
        this.bootstrap = new Bootstrap().group(loop).channel(channelType)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc(), endpoint.host(), endpoint.port()));
                        }
                        p.addLast("http", new HttpClientCodec(4096, 16384, 65536));
                        p.addLast("inflate", new HttpContentDecompressor(0));
                        // Reader-idle only: an all-idle handler adds a listener to every write, which costs on the hot path;
                        // a pooled connection nobody uses reads nothing, so this still retires it.
                        p.addLast("idle", new IdleStateHandler(options.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        p.addLast("dispatch", new Dispatcher());
                    }
                });
    }

    EventLoop eventLoop() {
        return loop;
    }

    void acquire(HttpExchange exchange) {
        Channel channel;
        while ((channel = idle.pollLast()) != null) {
            if (channel.isActive()) {
                exchange.onAcquired(channel, true);
                return;
            }
        }
        acquireFresh(exchange);
    }

    void acquireFresh(HttpExchange exchange) {
        if (open < maxConnections) {
            connect(exchange);
        } else {
            waiting.addLast(exchange);
        }
    }

    void forget(HttpExchange exchange) {
        waiting.remove(exchange);
    }

    void release(Channel channel, boolean reusable) {
        if (reusable && channel.isActive()) {
            HttpExchange next = waiting.pollFirst();
            if (next != null) {
                next.onAcquired(channel, true);
            } else {
                idle.addLast(channel);
            }
        } else {
            channel.close();
        }
    }

    private void connect(HttpExchange exchange) {
        open++;
        ChannelFuture future = bootstrap.connect(address);
        Channel channel = future.channel();
        channel.closeFuture().addListener(f -> onClosed(channel));
        future.addListener(f -> {
            if (f.isSuccess()) {
                exchange.onAcquired(channel, false);
            } else {
                exchange.onAcquireFailed(f.cause());
            }
        });
    }

    private void onClosed(Channel channel) {
        open--;
        idle.remove(channel);
        HttpExchange exchange = channel.attr(EXCHANGE).getAndSet(null);
        if (exchange != null) {
            exchange.onConnectionLost(null);
        }
        if (open < maxConnections && !waiting.isEmpty()) {
            connect(waiting.pollFirst());
        }
    }

    void close() {
        // Closing fires onClosed, which edits the deque: close a copy.
        java.util.List<Channel> toClose = new java.util.ArrayList<>(idle);
        idle.clear();
        toClose.forEach(Channel::close);
    }

    /** Hands what a connection reads to its current exchange. */
    private static final class Dispatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            HttpExchange exchange = ctx.channel().attr(EXCHANGE).get();
            if (exchange != null && msg instanceof HttpObject http) {
                exchange.onMessage(http);
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
                if (exchange == null) {
                    ctx.close(); // bytes nobody asked for: the connection is not reusable
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            HttpExchange exchange = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (exchange != null) {
                exchange.onConnectionLost(cause);
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && ctx.channel().attr(EXCHANGE).get() == null) {
                ctx.close();
            }
        }
    }
}
