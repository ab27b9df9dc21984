package ai.meridian.support.inboundhttp;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.MediaType;
import io.micronaut.http.server.netty.DefaultHttpCompressionStrategy;
import io.micronaut.http.server.netty.HttpCompressionStrategy;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import jakarta.inject.Singleton;

/**
 * Micronaut's compression rules (text bodies at or above the threshold), except that streamed bodies are
 * never compressed: a compressor would hold tokens back and costs CPU per tiny chunk.
 */
@Singleton
@Replaces(DefaultHttpCompressionStrategy.class)
final class StreamFriendlyCompression implements HttpCompressionStrategy {
    private final int threshold;
    private final int level;
    private final int maxZstdEncodeSize;

    StreamFriendlyCompression(NettyHttpServerConfiguration configuration) {
        this.threshold = configuration.getCompressionThreshold();
        this.level = configuration.getCompressionLevel();
        this.maxZstdEncodeSize = configuration.getMaxZstdEncodeSize();
    }

    @Override
    public boolean shouldCompress(HttpResponse response) {
        String contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        long length = HttpUtil.getContentLength(response, -1);
        return isEnabled() && contentType != null && !contentType.startsWith("text/event-stream")
                && length >= threshold && MediaType.isTextBased(contentType);
    }

    @Override
    public int getCompressionLevel() {
        return level;
    }

    @Override
    public int getMaxZstdEncodeSize() {
        return maxZstdEncodeSize;
    }

    @Override
    public boolean isEnabled() {
        return threshold >= 0;
    }
}
