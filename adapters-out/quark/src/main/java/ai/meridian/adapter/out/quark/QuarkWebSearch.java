package ai.meridian.adapter.out.quark;

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
 * Web search through Alibaba Cloud IQS unified search (Quark): {@code POST {endpoint}/search/unified}. Every
 * failure (not activated, in arrears, throttled, server error, timeout, garbled answer, no connection)
 * completes the future with {@link RetrievalUnavailableException}: the answer goes on with fewer sources.
 * The JDK HTTP client is enough here: one trusted, configured endpoint (no address pinning needed), TLS,
 * keep-alive and timeouts built in. Its callbacks run on this adapter's two threads; a separate timer
 * enforces the query's deadline over the whole exchange, body included.
 */
public final class QuarkWebSearch implements SearchWebPort, AutoCloseable {
    public static final String NAME = "quark";
    private static final String USER_AGENT = "meridian-gateway/0.1";

    private final QuarkSettings settings;
    private final URI searchUri;
    private final ExecutorService callbacks;
    private final ScheduledThreadPoolExecutor deadlines;
    private final HttpClient http;

    public QuarkWebSearch(QuarkSettings settings) {
        this.settings = settings;
        this.searchUri = URI.create(settings.endpoint() + "/search/unified");
        this.callbacks = Executors.newFixedThreadPool(2, daemon("meridian-quark"));
        this.deadlines = new ScheduledThreadPoolExecutor(1, daemon("meridian-quark-deadline"));
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
        HttpRequest.Builder request = HttpRequest.newBuilder(searchUri)
                .timeout(query.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(QuarkWire.request(query, settings)));
        if (settings.authHeader() == QuarkSettings.AuthHeader.BEARER) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        } else {
            request.header("X-API-Key", settings.apiKey());
        }
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

    private void answer(HttpResponse<byte[]> response, int maxResults, CompletableFuture<List<WebResult>> result) {
        int status = response.statusCode();
        if (status == 200) {
            try {
                result.complete(QuarkWire.results(response.body(), maxResults));
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(unavailable("answered malformed JSON: " + e.getMessage(), null));
            }
            return;
        }
        QuarkWire.ErrorBody error = QuarkWire.error(response.body());
        String code = error.code() == null ? "" : error.code();
        String detail = (code.isEmpty() ? "" : " " + code) + (error.message() == null ? "" : ": " + truncate(error.message()))
                + (error.requestId() == null ? "" : " (request " + error.requestId() + ")");
        String reason;
        if (code.equals("Retrieval.NotActivate")) {
            reason = "the IQS search service is not activated for this account (HTTP " + status + detail + ")";
        } else if (code.equals("Retrieval.Arrears")) {
            reason = "the IQS account is in arrears (HTTP " + status + detail + ")";
        } else if (status == 429 || code.startsWith("Retrieval.Throttling")) {
            reason = "throttled (HTTP " + status + detail + ")";
        } else if (status == 401 || status == 403) {
            reason = "refused the API key (HTTP " + status + detail + ")";
        } else if (status >= 500) {
            reason = "server error (HTTP " + status + detail + ")";
        } else {
            reason = "rejected the search (HTTP " + status + detail + ")";
        }
        // An upstream that echoes the request must not leak the key into logs and notices.
        result.completeExceptionally(unavailable(reason.replace(settings.apiKey(), "***"), null));
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
