package ai.meridian.application.service;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Runs conversation-store calls inside child spans (so slow queries show in traces: {@code db.duration_ms},
 * and {@code db.slow=true} over the threshold) and turns an outage into the client's 503.
 */
final class StoreCalls {
    private final Duration slowThreshold;
    private final Duration retryAfter;

    StoreCalls(Duration slowThreshold, Duration retryAfter) {
        this.slowThreshold = slowThreshold;
        this.retryAfter = retryAfter;
    }

    <T> CompletableFuture<T> traced(TraceSpan parent, String operation, Map<String, Object> attributes, Supplier<CompletableFuture<T>> call) {
        TraceSpan span = parent.child("db " + operation, attributes);
        span.set("db.operation.name", operation);
        long start = System.nanoTime();
        CompletableFuture<T> result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        return result.whenComplete((value, error) -> {
            long nanos = System.nanoTime() - start;
            span.set("db.duration_ms", nanos / 1_000_000.0);
            if (nanos >= slowThreshold.toNanos()) {
                span.set("db.slow", true);
            }
            if (error != null) {
                span.fail(String.valueOf(unwrap(error).getMessage()));
            }
            span.end();
        });
    }

    /** The client-visible error for a failed store call; unknown failures stay themselves. */
    Throwable clientError(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ConversationStoreUnavailableException) {
            return new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                    "The conversation store is unavailable; please retry shortly.", null, null, retryAfter), cause);
        }
        return cause;
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static GatewayException notFound(String id) {
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND,
                "No conversation found with id '" + id + "'.", "conversation_id", null, null));
    }
}
