package ai.meridian.support.nettyhttp;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Hears one HTTP response as it arrives, on the connection's event loop: the head, then body pieces
 * (valid only during the call), then the end; or a failure at any point. Exactly one of
 * {@link #onEnd} or {@link #onFailure} is called, unless the exchange is cancelled first.
 */
public interface ResponseHandler {

    /** Called once, before anything else, with the exchange this handler belongs to. */
    default void bind(HttpExchange exchange) {
    }

    void onHead(HttpResponse head);

    void onContent(ByteBuf content);

    void onEnd();

    /** {@code afterHead} tells whether the head had already arrived. */
    void onFailure(Throwable cause, boolean afterHead);
}
