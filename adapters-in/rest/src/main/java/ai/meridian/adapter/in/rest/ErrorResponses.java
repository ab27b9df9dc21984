package ai.meridian.adapter.in.rest;

import ai.meridian.domain.error.GatewayError;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.function.BiConsumer;

/** Builds OpenAI-shaped error responses: status, JSON body, request id, and Retry-After for 429/503. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static MutableHttpResponse<byte[]> of(HttpRequest<?> request, GatewayError error) {
        MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.valueOf(error.httpStatus()))
                .body(OpenAiJsonWriter.error(error))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
        writeHeaders(RequestIds.of(request), error, response::header);
        return response;
    }

    /** The headers every error answer carries, whichever HTTP path wrote it: the request id, Retry-After when known, rate limits. */
    static void writeHeaders(String requestId, GatewayError error, BiConsumer<String, String> header) {
        header.accept(RequestIds.HEADER, requestId);
        if (error.retryAfter() != null) {
            // Whole seconds, rounded up and at least one.
            header.accept("retry-after", String.valueOf(Math.max(1, (error.retryAfter().toMillis() + 999) / 1000)));
        }
        RateLimitHeaders.write(error.rateLimit(), header);
    }
}
