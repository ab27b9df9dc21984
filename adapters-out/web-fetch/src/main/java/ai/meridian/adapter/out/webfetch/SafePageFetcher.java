package ai.meridian.adapter.out.webfetch;

import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.FetchedPage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Fetches public web pages safely and extracts their main text. Netty rather than the JDK's HttpClient,
 * because the connection must go to the exact address the SSRF guard approved while TLS still verifies the
 * host name: Netty connects to an {@code InetSocketAddress} we give it and takes the TLS peer name
 * separately. DNS lookups (blocking in the JDK) run on a small resolver pool, text extraction (CPU work) on
 * its own bounded pool, I/O on one event loop; no caller thread ever waits.
 */
public final class SafePageFetcher implements FetchPagePort, AutoCloseable {
    private static final int RESOLVER_THREADS = 4;
    private static final int QUEUE_LIMIT = 256;

    private final EventLoopGroup group;
    private final ExecutorService resolving;
    private final ExecutorService extracting;
    private final Engine engine;

    /** A fetcher with the system DNS resolver; see {@link WebFetchSettings} for the limits. */
    public SafePageFetcher(WebFetchSettings settings) {
        this(settings, HostResolver.SYSTEM, null);
    }

    /** Tests inject a resolver table, and the certificates to trust instead of the JDK's (null: the JDK's). */
    SafePageFetcher(WebFetchSettings settings, HostResolver resolver, TrustManagerFactory trust) {
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("meridian-web-fetch", true), NioIoHandler.newFactory());
        this.resolving = pool("meridian-web-fetch-dns", RESOLVER_THREADS);
        this.extracting = pool("meridian-web-fetch-extract", settings.extractionThreads());
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true);
        this.engine = new Engine(settings, new AddressGuard(AllowList.parse(settings.allowPrivateHosts())), resolver, group.next(),
                bootstrap, tlsContext(trust), resolving, extracting, new MainTextExtractor(settings.maxTextChars()));
    }

    @Override
    public CompletableFuture<FetchedPage> fetch(String url) {
        return new PageFetch(engine, url).start();
    }

    @Override
    public void close() {
        resolving.shutdownNow();
        extracting.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** What every fetch shares. */
    record Engine(WebFetchSettings settings, AddressGuard guard, HostResolver resolver, EventLoop loop, Bootstrap bootstrap,
                  SslContext tls, ExecutorService resolving, ExecutorService extracting, MainTextExtractor extractor) {
    }

    private static ExecutorService pool(String name, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_LIMIT),
                new DefaultThreadFactory(name, true), new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static SslContext tlsContext(TrustManagerFactory trust) {
        try {
            // Certificates are checked against the URL's host name, whatever address the socket was pinned to.
            SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
            return (trust == null ? builder : builder.trustManager(trust)).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for page fetching", e);
        }
    }
}
