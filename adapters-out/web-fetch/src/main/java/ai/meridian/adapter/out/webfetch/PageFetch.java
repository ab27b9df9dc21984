package ai.meridian.adapter.out.webfetch;

import ai.meridian.application.port.out.retrieval.FetchedPage;
import ai.meridian.application.port.out.retrieval.PageRefusedException;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One page fetch, from the URL through every redirect hop to the extracted text. Each hop is checked by the
 * guard, then connected to the very address that was checked (no second DNS lookup, so DNS rebinding cannot
 * swap the address between check and connect). One deadline covers the whole fetch. The result future is the
 * only shared state: whatever completes it first wins, and completing it closes the open connection.
 */
final class PageFetch {
    private final SafePageFetcher.Engine engine;
    private final String requestedUrl;
    private final CompletableFuture<FetchedPage> result = new CompletableFuture<>();
    private final Set<String> visited = new HashSet<>();
    private volatile Channel channel;
    private int redirects;

    PageFetch(SafePageFetcher.Engine engine, String requestedUrl) {
        this.engine = engine;
        this.requestedUrl = requestedUrl;
    }

    CompletableFuture<FetchedPage> start() {
        long timeoutMs = engine.settings().timeout().toMillis();
        ScheduledFuture<?> deadline = engine.loop().schedule(
                () -> refuse("the page was not fetched within " + timeoutMs + " ms"), timeoutMs, TimeUnit.MILLISECONDS);
        result.whenComplete((page, failure) -> {
            deadline.cancel(false);
            Channel open = channel;
            if (open != null) {
                open.close();
            }
        });
        try {
            hop(TargetUrl.parse(requestedUrl));
        } catch (TargetUrl.UrlRefused e) {
            refuse(e.getMessage());
        }
        return result;
    }

    void refuse(String reason) {
        result.completeExceptionally(new PageRefusedException(reason));
    }

    private void unavailable(String reason) {
        result.completeExceptionally(new RetrievalUnavailableException("web-fetch", reason));
    }

    private void hop(TargetUrl url) {
        if (result.isDone()) {
            return;
        }
        if (!visited.add(url.uri().toString())) {
            refuse("redirect loop: " + url + " was already visited");
            return;
        }
        String nameRefused = engine.guard().refuseName(url.host());
        if (nameRefused != null) {
            refuse(nameRefused);
            return;
        }
        if (url.literal().isPresent()) {
            InetAddress address = url.literal().get();
            String refused = engine.guard().refuseAddress(url.host(), address, true);
            if (refused != null) {
                refuse(refused);
            } else {
                connect(url, List.of(address), 0);
            }
            return;
        }
        try {
            engine.resolving().execute(() -> resolveThenConnect(url));
        } catch (RejectedExecutionException e) {
            unavailable("too many page fetches at once");
        }
    }

    private void resolveThenConnect(TargetUrl url) {
        if (result.isDone()) {
            return;
        }
        List<InetAddress> addresses;
        try {
            addresses = engine.resolver().resolve(url.host());
        } catch (UnknownHostException | RuntimeException e) {
            refuse("cannot resolve " + url.host());
            return;
        }
        String refused = engine.guard().refuseAddresses(url.host(), addresses);
        if (refused != null) {
            refuse(refused);
            return;
        }
        connect(url, addresses, 0);
    }

    /** Connects to the checked addresses in turn until one answers. */
    private void connect(TargetUrl url, List<InetAddress> addresses, int index) {
        if (result.isDone()) {
            return;
        }
        WebFetchSettings settings = engine.settings();
        ChannelFuture connecting = engine.bootstrap().clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ChannelPipeline p = ch.pipeline();
                // First, so that any bytes arriving (even half a header, or a TLS record) count as activity.
                p.addLast("read-timeout", new ReadTimeoutHandler(settings.readTimeout().toMillis(), TimeUnit.MILLISECONDS));
                if (url.tls()) {
                    String peer = url.host().startsWith("[") ? url.host().substring(1, url.host().length() - 1) : url.host();
                    p.addLast("tls", engine.tls().newHandler(ch.alloc(), peer, url.port()));
                }
                p.addLast("http", new HttpClientCodec(8192, 32768, 65536));
                p.addLast("inflate", new HttpContentDecompressor(settings.maxBytes()));
                p.addLast("page", new PageResponseHandler(PageFetch.this, url, settings.maxBytes(), settings.userAgent()));
            }
        }).connect(new InetSocketAddress(addresses.get(index), url.port()));
        channel = connecting.channel();
        if (result.isDone()) {
            connecting.channel().close(); // the deadline passed while connecting started
            return;
        }
        connecting.addListener(done -> {
            if (done.isSuccess()) {
                return;
            }
            if (index + 1 < addresses.size()) {
                connect(url, addresses, index + 1);
            } else {
                refuse("cannot connect to " + url.host() + ": " + PageResponseHandler.describe(done.cause()));
            }
        });
    }

    /** A redirect answered; runs on the event loop. */
    void onRedirect(TargetUrl from, String location) {
        if (redirects >= engine.settings().maxRedirects()) {
            refuse("more than " + engine.settings().maxRedirects() + " redirects");
            return;
        }
        redirects++;
        TargetUrl next;
        try {
            next = from.resolve(location);
        } catch (TargetUrl.UrlRefused e) {
            refuse(e.getMessage());
            return;
        }
        hop(next);
    }

    /** The body arrived (possibly cut at the size cap); extraction runs on the extraction threads. */
    void onBody(TargetUrl url, String contentType, byte[] body, int length) {
        if (result.isDone()) {
            return;
        }
        try {
            engine.extracting().execute(() -> extract(url, contentType, body, length));
        } catch (RejectedExecutionException e) {
            unavailable("too many pages waiting for text extraction");
        }
    }

    private void extract(TargetUrl url, String contentType, byte[] body, int length) {
        if (result.isDone()) {
            return;
        }
        try {
            PageType type = PageType.ofMediaType(PageType.mediaType(contentType));
            if (type == null) {
                type = PageType.sniff(body, length);
                if (type == null) {
                    refuse("refused: the page has no content type and does not look like HTML");
                    return;
                }
            }
            Charset charset = CharsetDetector.detect(body, length, PageType.charsetParameter(contentType));
            int start = CharsetDetector.bomLength(body, length);
            String text = new String(body, start, length - start, charset);
            ExtractedPage page = type == PageType.HTML
                    ? engine.extractor().fromHtml(text, url.toString())
                    : engine.extractor().fromText(text, type == PageType.MARKDOWN);
            if (page.text().isBlank()) {
                refuse("the page has no readable text");
                return;
            }
            result.complete(new FetchedPage(requestedUrl, url.toString(), page.title(), page.text(), page.publishedDate()));
        } catch (RuntimeException e) {
            refuse("the page could not be read: " + e);
        }
    }
}
