package ai.meridian.adapter.in.rest;

import ai.meridian.domain.error.GatewayError;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** Builds OpenAI-shaped error responses: status, JSON body, request id, and Retry-After for 429/503. */
final class ErrorResponses {
    private ErrorResponses() {
    }

    static MutableHttpResponse<byte[]> of(HttpRequest<?> request, GatewayError error) {
        MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.valueOf(error.httpStatus()))
                .body(OpenAiJsonWriter.error(error))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .header(RequestIds.HEADER, RequestIds.of(request));
        String retryAfter = retryAfterSeconds(error);
        if (retryAfter != null) {
            response.header("retry-after", retryAfter);
        }
        return response;
    }

    /** Whole seconds, rounded up and at least one, or null when the error does not say when to retry. */
    static String retryAfterSeconds(GatewayError error) {
        return error.retryAfter() == null ? null : String.valueOf(Math.max(1, (error.retryAfter().toMillis() + 999) / 1000));
    }
}
