package ai.meridian.support.nettyhttp;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A non-blocking HTTP/1.1 client for one upstream with a connection pool per event loop. A request
 * sent from one of the group's own threads (as the inbound server's are, when the group is shared)
 * uses that thread's pool, so the whole exchange stays on one thread.
 */
public final class PooledHttpClient implements AutoCloseable {
    private final Map<EventExecutor, ConnectionPool> pools = new IdentityHashMap<>();
    private final List<ConnectionPool> poolList = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    public PooledHttpClient(EventLoopGroup group, Class<? extends SocketChannel> channelType, UpstreamEndpoint endpoint,
                            HttpClientOptions options) {
        for (EventExecutor executor : group) {
            ConnectionPool pool = new ConnectionPool((EventLoop) executor, channelType, endpoint, options);
            pools.put(executor, pool);
            poolList.add(pool);
        }
    }

    /** Sends the request (whose reference this takes over) and returns the exchange, for timers and cancel. */
    public HttpExchange send(FullHttpRequest request, ResponseHandler handler) {
        ConnectionPool pool = currentPool();
        HttpExchange exchange = new HttpExchange(pool, request, handler);
        handler.bind(exchange);
        if (pool.eventLoop().inEventLoop()) {
            exchange.start();
        } else {
            pool.eventLoop().execute(exchange::start);
        }
        return exchange;
    }

    private ConnectionPool currentPool() {
        for (ConnectionPool pool : poolList) {
            if (pool.eventLoop().inEventLoop()) {
                return pool;
            }
        }
        return poolList.get(Math.floorMod(next.getAndIncrement(), poolList.size()));
    }

    @Override
    public void close() {
        for (ConnectionPool pool : poolList) {
            pool.eventLoop().execute(pool::close);
        }
    }
}
