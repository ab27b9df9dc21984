package ai.meridian.adapter.out.webfetch;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.Arrays;
import javax.net.ssl.SSLException;

/**
 * One GET on one fresh connection, on the connection's event loop. Decides at the response head: a redirect
 * goes back to the fetch (which checks the next hop itself), other statuses and non-page content types are
 * refused without reading the body; a page's body is gathered up to the size cap and the connection is
 * closed there, so a huge or endless body is never read beyond it.
 */
final class PageResponseHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final String ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9";

    private final PageFetch fetch;
    private final TargetUrl url;
    private final int maxBytes;
    private final String userAgent;
    private boolean done;
    private int status;
    private String contentType;
    private byte[] body;
    private int length;

    PageResponseHandler(PageFetch fetch, TargetUrl url, int maxBytes, String userAgent) {
        this.fetch = fetch;
        this.url = url;
        this.maxBytes = maxBytes;
        this.userAgent = userAgent;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, url.requestTarget());
        request.headers()
                .set(HttpHeaderNames.HOST, url.hostHeader())
                .set(HttpHeaderNames.USER_AGENT, userAgent)
                .set(HttpHeaderNames.ACCEPT, ACCEPT)
                .set(HttpHeaderNames.ACCEPT_ENCODING, "gzip, deflate")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                fail(ctx, "cannot send the request to " + url.host() + ": " + describe(written.cause()));
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (done) {
            return;
        }
        DecoderResult decoded = message.decoderResult();
        if (decoded.isFailure()) {
            fail(ctx, decoded.cause() instanceof DecompressionException
                    ? "the compressed page expands beyond " + maxBytes + " bytes or is corrupt"
                    : "the server at " + url.host() + " sent malformed HTTP");
            return;
        }
        if (message instanceof HttpResponse head && !onHead(ctx, head)) {
            return;
        }
        if (message instanceof HttpContent content) {
            ByteBuf bytes = content.content();
            int take = Math.min(bytes.readableBytes(), maxBytes - length);
            if (take > 0) {
                if (body.length < length + take) {
                    body = Arrays.copyOf(body, Math.min(maxBytes, Math.max(length + take, body.length * 2)));
                }
                bytes.readBytes(body, length, take);
                length += take;
            }
            boolean capped = bytes.isReadable() || length >= maxBytes && !(content instanceof LastHttpContent);
            if (capped || content instanceof LastHttpContent) {
                done = true;
                ctx.close(); // at the cap the rest is never read
                fetch.onBody(url, contentType, body, length);
            }
        }
    }

    /** Returns whether the body is wanted. */
    private boolean onHead(ChannelHandlerContext ctx, HttpResponse head) {
        status = head.status().code();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            done = true;
            ctx.close();
            fetch.onRedirect(url, head.headers().get(HttpHeaderNames.LOCATION));
            return false;
        }
        if (status != 200 && status != 203) {
            fail(ctx, "the server answered HTTP " + status);
            return false;
        }
        contentType = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String mediaType = PageType.mediaType(contentType);
        if (!mediaType.isEmpty() && PageType.ofMediaType(mediaType) == null) {
            fail(ctx, "refused: " + mediaType + " is not a web page");
            return false;
        }
        body = new byte[Math.min(maxBytes, 64 * 1024)];
        return true;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            fail(ctx, url.host() + " sent nothing for longer than the read timeout");
        } else if (cause instanceof DecompressionException) {
            fail(ctx, "the compressed page expands beyond " + maxBytes + " bytes or is corrupt");
        } else {
            fail(ctx, "the connection to " + url.host() + " failed: " + describe(cause));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail(ctx, url.host() + " closed the connection before the page was complete");
        ctx.fireChannelInactive();
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (done) {
            return;
        }
        done = true;
        ctx.close();
        fetch.refuse(reason);
    }

    static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            if (root instanceof SSLException) {
                break;
            }
            root = root.getCause();
        }
        String message = root.getMessage();
        String kind = root instanceof SSLException ? "TLS: " : "";
        return kind + (message == null || message.isBlank() ? root.getClass().getSimpleName() : message);
    }
}
