package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.GatewayError;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.function.BiConsumer;

/**
 * Builds error responses: status, JSON body, request id, and Retry-After for 429/503. OpenAI's shape, unless the
 * request belongs to a {@link ProtocolDoor}, which writes its own.
 */
public final class ErrorResponses {
    private ErrorResponses() {
    }

    static MutableHttpResponse<byte[]> of(HttpRequest<?> request, GatewayError error) {
        ProtocolDoor door = ProtocolDoor.of(request).orElse(null);
        MutableHttpResponse<byte[]> response = (door == null
                ? HttpResponse.<byte[]>status(io.micronaut.http.HttpStatus.valueOf(error.httpStatus()))
                : HttpResponse.<byte[]>status(door.status(error), reason(door.status(error))))
                .body(door == null ? ErrorResponses.openAiBody(error) : door.errorBody(error))
                .contentType(MediaType.APPLICATION_JSON_TYPE);
        writeHeaders(RequestIds.of(request), error, response::header);
        if (door != null) {
            door.writeRateLimitHeaders(error.rateLimit(), response::header);
        }
        return response;
    }

    /** OpenAI's error body ({@code {"error": {"message", "type", "param", "code"}}}), the shape of every path no door claims. */
    public static byte[] openAiBody(GatewayError error) {
        return openAiEvent(error).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The same body as text (an SSE error event's data, a WebSocket error frame's object). */
    public static String openAiEvent(GatewayError error) {
        return ai.meridian.support.json.JsonOutput.string(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", error.message());
            g.writeStringField("type", error.kind().type());
            if (error.param() == null) {
                g.writeNullField("param");
            } else {
                g.writeStringField("param", error.param());
            }
            if (error.code() == null) {
                g.writeNullField("code");
            } else {
                g.writeStringField("code", error.code());
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** The reason phrase of a status, also of one outside HTTP's registry (Anthropic's 529). */
    static String reason(int status) {
        if (status == 529) {
            return "Site Overloaded";
        }
        try {
            return io.micronaut.http.HttpStatus.valueOf(status).getReason();
        } catch (IllegalArgumentException unknown) {
            return "Status " + status;
        }
    }

    /** The headers every error answer carries, whichever HTTP path wrote it: the request id, Retry-After when known, rate limits. */
    public static void writeHeaders(String requestId, GatewayError error, BiConsumer<String, String> header) {
        header.accept(RequestIds.HEADER, requestId);
        if (error.retryAfter() != null) {
            // Whole seconds, rounded up and at least one.
            header.accept("retry-after", String.valueOf(Math.max(1, (error.retryAfter().toMillis() + 999) / 1000)));
        }
        RateLimitHeaders.write(error.rateLimit(), header);
    }
}
