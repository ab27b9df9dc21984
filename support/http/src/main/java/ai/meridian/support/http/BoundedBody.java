package ai.meridian.support.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects a response body up to a limit; past it the connection is cancelled instead of buffering on. Shared
 * by the web-search adapters, which keep to the JDK's HTTP client; it knows neither ports nor adapters.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final int limit;
    private Flow.Subscription subscription;
    private byte[] bytes = new byte[8192];
    private int length;

    private BoundedBody(int limit) {
        this.limit = limit;
    }

    /** Success bodies up to {@code limit}; error bodies only need their first bytes. */
    public static HttpResponse.BodyHandler<byte[]> handler(int limit) {
        return info -> new BoundedBody(info.statusCode() == 200 ? limit : ERROR_BODY_LIMIT);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            int n = item.remaining();
            if (length + n > limit) {
                subscription.cancel();
                body.completeExceptionally(new TooLarge(limit));
                return;
            }
            if (length + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.min(limit, Math.max(length + n, bytes.length * 2)));
            }
            item.get(bytes, length, n);
            length += n;
        }
    }

    @Override
    public void onError(Throwable failure) {
        body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        body.complete(Arrays.copyOf(bytes, length));
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    /** The answer was larger than the limit. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(int limit) {
            super("answer larger than " + limit + " bytes");
        }
    }
}
