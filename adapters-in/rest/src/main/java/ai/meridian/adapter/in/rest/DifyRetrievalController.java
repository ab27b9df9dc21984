package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.retrieval.Passage;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Dify's External Knowledge API, so a Dify app can use a Meridian knowledge base directly: configure the
 * endpoint as {@code http://<meridian>:8080} and the API key as the Meridian key. {@code knowledge_id} is
 * the knowledge base name. Errors are in Dify's shape ({@code error_code}, {@code error_msg}), which is what
 * Dify reads: 1001 malformed Authorization, 1002 authorization failed, 2001 unknown knowledge.
 */
@Controller
@Requires(beans = QueryKnowledgeUseCase.class)
final class DifyRetrievalController {
    private final AuthenticateCallerUseCase authentication;
    private final QueryKnowledgeUseCase knowledge;

    DifyRetrievalController(AuthenticateCallerUseCase authentication, QueryKnowledgeUseCase knowledge) {
        this.authentication = authentication;
        this.knowledge = knowledge;
    }

    @Post(uri = "/retrieval", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> retrieve(HttpRequest<?> request, @Body @Nullable byte[] body) {
        Credentials.Presented presented = Credentials.extract(request.getHeaders().getAll(HttpHeaders.AUTHORIZATION), java.util.List.of(),
                Credentials.Scheme.BEARER);
        String token = presented instanceof Credentials.Token t ? t.value() : null;
        if (presented instanceof Credentials.Malformed || presented instanceof Credentials.Missing && !authentication.isOpen()) {
            return done(difyError(HttpStatus.FORBIDDEN, 1001, "Invalid Authorization header format. Expected 'Bearer <api-key>' format."));
        }
        Optional<Caller> caller = authentication.authenticate(token, ApiKeyFilter.clientAddress(request));
        if (caller.isEmpty()) {
            return done(difyError(HttpStatus.FORBIDDEN, 1002, "Authorization failed"));
        }
        String knowledgeId;
        String query;
        int topK;
        double threshold;
        try {
            JsonNode root = ChatRequestParser.readJsonObject(body);
            knowledgeId = ChatRequestParser.requiredString(root, "knowledge_id");
            query = ChatRequestParser.requiredString(root, "query");
            JsonNode setting = root.get("retrieval_setting");
            if (setting != null && !setting.isNull() && !setting.isObject()) {
                throw ChatRequestParser.wrongType("retrieval_setting", "an object", setting);
            }
            Integer k = setting == null || setting.isNull() ? null : ChatRequestParser.optionalInt(setting, "top_k");
            Double t = setting == null || setting.isNull() ? null : ChatRequestParser.optionalDecimal(setting, "score_threshold");
            topK = k == null ? 5 : k;
            threshold = t == null ? 0 : t;
        } catch (GatewayException e) {
            return done(difyError(HttpStatus.BAD_REQUEST, 400, e.error().message()));
        }
        return knowledge.query(ai.meridian.application.port.in.CallerContext.of(caller.get(), RequestIds.of(request), null, System.nanoTime(),
                        ApiKeyFilter.clientAddress(request)), List.of(knowledgeId), query, topK, threshold)
                .<MutableHttpResponse<?>>thenApply(passages -> json(HttpStatus.OK,
                        Map.of("records", passages.stream().map(DifyRetrievalController::record).toList())))
                .exceptionally(error -> {
                    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof GatewayException g && g.error().kind() == ErrorKind.PERMISSION) {
                        return difyError(HttpStatus.FORBIDDEN, 1002, g.error().message());
                    }
                    if (cause instanceof GatewayException g && g.error().kind() == ErrorKind.NOT_FOUND) {
                        return difyError(HttpStatus.NOT_FOUND, 2001, "The knowledge does not exist");
                    }
                    if (cause instanceof GatewayException g && g.error().kind() == ErrorKind.INVALID_REQUEST) {
                        return difyError(HttpStatus.BAD_REQUEST, 400, g.error().message());
                    }
                    if (cause instanceof GatewayException g) {
                        return difyError(HttpStatus.valueOf(g.error().httpStatus()), g.error().httpStatus(), g.error().message());
                    }
                    return difyError(HttpStatus.INTERNAL_SERVER_ERROR, 500, "The server had an error while processing your request.");
                });
    }

    private static Map<String, Object> record(Passage p) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("path", p.url());
        metadata.put("knowledge_base", p.origin());
        metadata.put("chunk_id", p.id());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("content", p.text());
        m.put("score", p.score());
        m.put("title", p.title());
        m.put("metadata", metadata);
        return m;
    }

    private static CompletableFuture<MutableHttpResponse<?>> done(MutableHttpResponse<?> response) {
        return CompletableFuture.completedFuture(response);
    }

    private static MutableHttpResponse<?> difyError(HttpStatus status, int code, String message) {
        return json(status, Map.of("error_code", code, "error_msg", message));
    }

    private static MutableHttpResponse<?> json(HttpStatus status, Object body) {
        try {
            return HttpResponse.status(status).body(Json.MAPPER.writeValueAsBytes(body)).contentType(MediaType.APPLICATION_JSON_TYPE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
