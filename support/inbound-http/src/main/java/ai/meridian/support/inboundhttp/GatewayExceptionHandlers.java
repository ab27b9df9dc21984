package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns exceptions into OpenAI-shaped responses; anything unexpected is a logged, generic 500. */
public final class GatewayExceptionHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayExceptionHandlers.class);

    private GatewayExceptionHandlers() {
    }

    static HttpResponse<?> respond(HttpRequest<?> request, Throwable error) {
        return ErrorResponses.of(request, errorFor(error, request.getMethodName() + " " + request.getPath(), RequestIds.of(request)));
    }

    /**
     * The client-visible error for a failure while answering {@code exchange}: a gateway error as it is; a
     * cancellation (the client left, nobody reads the answer) quietly; anything else logged, as a generic 500.
     */
    public static GatewayError errorFor(Throwable error, String exchange, String requestId) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof GatewayException gatewayException) {
            if (gatewayException.getCause() != null && gatewayException.error().httpStatus() < 500) {
                // What the client was not told (a parser's own message, say) is here, with the request id.
                LOG.debug("{} refused (request {}): {}", exchange, requestId, gatewayException.getCause().toString());
            }
            return gatewayException.error();
        }
        GatewayError clientFault = ClientFaults.of(cause);
        if (clientFault != null) {
            LOG.debug("{} refused as malformed (request {}): {}", exchange, requestId, cause.toString());
            return clientFault;
        }
        if (cause instanceof CancellationException) {
            LOG.debug("{} cancelled: the client disconnected (request {})", exchange, requestId);
            // The status is never delivered (the connection is closed); metrics record the cancelled call on their own.
            return GatewayError.of(ErrorKind.INVALID_REQUEST, "The client closed the connection.");
        }
        LOG.error("unexpected failure handling {} (request {})", exchange, requestId, cause);
        return GatewayError.of(ErrorKind.INTERNAL, "The server had an error while processing your request.");
    }

    @Singleton
    @Requires(classes = GatewayException.class)
    static final class ForGatewayException implements ExceptionHandler<GatewayException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, GatewayException exception) {
            return respond(request, exception);
        }
    }

    @Singleton
    static final class ForCompletionException implements ExceptionHandler<CompletionException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, CompletionException exception) {
            return respond(request, exception);
        }
    }

    @Singleton
    static final class ForUnexpected implements ExceptionHandler<RuntimeException, HttpResponse<?>> {
        @Override
        public HttpResponse<?> handle(HttpRequest request, RuntimeException exception) {
            return respond(request, exception);
        }
    }
}
