package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.EmbedTextsUseCase.EmbedTextsCommand;
import ai.meridian.application.port.in.EmbedTextsUseCase;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.RateLimitHeaders;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/embeddings}: OpenAI's embeddings API on the gateway's local model. {@code input} is a string
 * or an array of strings; {@code encoding_format} is {@code float} (default) or {@code base64}; token-array
 * inputs are refused (the local model has its own tokenizer). The response is written on the embedding
 * thread that finished the vectors, never on the event loop. Present only when bootstrap provides the use case.
 */
@Controller
@Requires(beans = EmbedTextsUseCase.class)
final class EmbeddingsController {
    private final EmbedTextsUseCase embeddings;

    EmbeddingsController(EmbedTextsUseCase embeddings) {
        this.embeddings = embeddings;
    }

    @Post(uri = "/v1/embeddings", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> embed(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        JsonNode root = RequestJson.readObject(body);
        String model = RequestJson.requiredString(root, "model");
        List<String> inputs = inputs(root);
        boolean base64 = base64(root);
        Integer dimensions = RequestJson.optionalInt(root, "dimensions");
        EmbedTextsCommand command = new EmbedTextsCommand(CallerContext.of(ApiKeyFilter.callerOf(request), requestId,
                request.getHeaders().get("traceparent"), receivedAt, ApiKeyFilter.clientAddress(request)), model, inputs, dimensions);
        return embeddings.embed(command).thenApply(result -> {
            MutableHttpResponse<?> response = HttpResponse.ok(EmbeddingsJson.response(result, base64))
                    .contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header(RequestIds.HEADER, requestId);
            RateLimitHeaders.write(result.rateLimit(), response::header);
            return response;
        });
    }

    private static List<String> inputs(JsonNode root) {
        JsonNode input = root.get("input");
        if (input == null || input.isNull()) {
            throw RequestJson.missing("input");
        }
        if (input.isTextual()) {
            return List.of(input.asText());
        }
        if (!input.isArray()) {
            throw RequestJson.wrongType("input", "a string or an array of strings", input);
        }
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (item.isIntegralNumber() || item.isArray()) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Token arrays are not supported for input: this gateway's embedding model uses its own tokenizer; send text.",
                        "input", "unsupported_value", null));
            }
            if (!item.isTextual()) {
                throw RequestJson.wrongType("input[" + i + "]", "a string", item);
            }
            texts.add(item.asText());
        }
        return texts;
    }

    private static boolean base64(JsonNode root) {
        String format = RequestJson.optionalString(root, "encoding_format");
        if (format == null || format.equals("float")) {
            return false;
        }
        if (format.equals("base64")) {
            return true;
        }
        throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                "Invalid value: '" + format + "'. Supported values are: 'float' and 'base64'.", "encoding_format", "invalid_value", null));
    }
}
