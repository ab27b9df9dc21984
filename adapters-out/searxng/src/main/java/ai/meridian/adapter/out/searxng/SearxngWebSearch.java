package ai.meridian.adapter.out.searxng;

import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.support.http.BoundedBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * Web search through a self-hosted SearXNG instance (the air-gapped alternative to Quark):
 * {@code GET {base}/search?q=...&format=json}. Every failure (JSON output not enabled, rate limited by the
 * instance's limiter, every engine unresponsive, server error, timeout, garbled answer, no connection)
 * completes the future with {@link RetrievalUnavailableException}. One result page is asked for and cut to
 * the query's count. HTTP as in the Quark adapter: the JDK client on this adapter's two threads, and a
 * timer that enforces the query's deadline over the whole exchange.
 */
public final class SearxngWebSearch implements SearchWebPort, AutoCloseable {
    public static final String NAME = "searxng";
    private static final String USER_AGENT = "meridian-gateway/0.1";

    private final SearxngSettings settings;
    private final ExecutorService callbacks;
    private final ScheduledThreadPoolExecutor deadlines;
    private final HttpClient http;

    public SearxngWebSearch(SearxngSettings settings) {
        this.settings = settings;
        this.callbacks = Executors.newFixedThreadPool(2, daemon("meridian-searxng"));
        this.deadlines = new ScheduledThreadPoolExecutor(1, daemon("meridian-searxng-deadline"));
        this.deadlines.setRemoveOnCancelPolicy(true);
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(callbacks)
                .build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletableFuture<List<WebResult>> search(WebSearchQuery query) {
        if (query.timeout().isNegative() || query.timeout().isZero()) {
            return CompletableFuture.failedFuture(unavailable("no time left for the search", null));
        }
        CompletableFuture<List<WebResult>> result = new CompletableFuture<>();
        HttpRequest.Builder request = HttpRequest.newBuilder(SearxngWire.searchUri(query, settings))
                .timeout(query.timeout())
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT)
                .GET();
        settings.headers().forEach(request::header);
        CompletableFuture<HttpResponse<byte[]>> call = http.sendAsync(request.build(), BoundedBody.handler(settings.maxResponseBytes()));
        long timeoutMs = query.timeout().toMillis();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            if (result.completeExceptionally(unavailable("no answer within " + timeoutMs + " ms", null))) {
                call.cancel(true);
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        call.whenComplete((response, failure) -> {
            deadline.cancel(false);
            if (failure != null) {
                result.completeExceptionally(classify(failure, timeoutMs));
            } else {
                answer(response, query.maxResults(), result);
            }
        });
        result.whenComplete((results, failure) -> {
            if (result.isCancelled()) {
                call.cancel(true);
            }
        });
        return result;
    }

    private static void answer(HttpResponse<byte[]> response, int maxResults, CompletableFuture<List<WebResult>> result) {
        int status = response.statusCode();
        if (status == 200) {
            SearxngWire.Page page;
            try {
                page = SearxngWire.page(response.body(), maxResults);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(unavailable("answered malformed JSON: " + e.getMessage(), null));
                return;
            }
            if (page.results().isEmpty() && !page.unresponsiveEngines().isEmpty()) {
                // Nothing found because every engine failed is an outage, not an empty result.
                result.completeExceptionally(unavailable("every engine failed: " + truncate(String.join(", ", page.unresponsiveEngines())), null));
            } else {
                result.complete(page.results());
            }
            return;
        }
        String reason;
        if (status == 403) {
            reason = "refused JSON output (HTTP 403): enable json under search.formats in its settings.yml";
        } else if (status == 429) {
            reason = "throttled by its limiter (HTTP 429)";
        } else if (status >= 500) {
            reason = "server error (HTTP " + status + ")";
        } else {
            reason = "rejected the search (HTTP " + status + ")";
        }
        result.completeExceptionally(unavailable(reason, null));
    }

    private static RetrievalUnavailableException classify(Throwable failure, long timeoutMs) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof HttpConnectTimeoutException) {
            return unavailable("cannot connect: connect timeout", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return unavailable("no answer within " + timeoutMs + " ms", cause);
        }
        if (cause instanceof BoundedBody.TooLarge) {
            return unavailable(cause.getMessage(), cause);
        }
        if (cause instanceof ConnectException) {
            return unavailable("cannot connect: " + (cause.getMessage() == null ? "connection refused" : cause.getMessage()), cause);
        }
        if (cause instanceof SSLException) {
            return unavailable("TLS failed: " + cause.getMessage(), cause);
        }
        if (cause instanceof IOException) {
            return unavailable("connection failed: " + cause.getMessage(), cause);
        }
        return unavailable("failed: " + cause, cause);
    }

    private static RetrievalUnavailableException unavailable(String reason, Throwable cause) {
        return new RetrievalUnavailableException(NAME, "web search " + NAME + ": " + reason, cause);
    }

    private static String truncate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }

    @Override
    public void close() {
        deadlines.shutdownNow();
        callbacks.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
