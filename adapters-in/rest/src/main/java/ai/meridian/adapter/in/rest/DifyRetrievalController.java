package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.Grouping;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeMatch;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeQuery;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.MatchedPassage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.Credentials;
import ai.meridian.support.inboundhttp.ErrorResponses;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.inboundhttp.RateLimitHeaders;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
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
 * the knowledge base name, matched exactly (names are case-sensitive: {@code Docs} and {@code docs} are two bases).
 * Results are by document by default ({@code "group_by": "chunk"} for chunks); scores are calibrated relevance, so
 * Dify's {@code score_threshold} means the same for every query; {@code metadata_condition} filters on the documents'
 * metadata with Dify's operators. Errors are in Dify's shape ({@code error_code}, {@code error_msg}), which is what
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
        MetadataFilter filter;
        Grouping grouping;
        try {
            JsonNode root = RequestJson.readObject(body);
            knowledgeId = RequestJson.requiredString(root, "knowledge_id");
            query = RequestJson.requiredString(root, "query");
            JsonNode setting = root.get("retrieval_setting");
            if (setting != null && !setting.isNull() && !setting.isObject()) {
                throw RequestJson.wrongType("retrieval_setting", "an object", setting);
            }
            Integer k = setting == null || setting.isNull() ? null : RequestJson.optionalInt(setting, "top_k");
            Double t = setting == null || setting.isNull() ? null : RequestJson.optionalNumber(setting, "score_threshold");
            topK = k == null ? 5 : k;
            threshold = t == null ? 0 : t;
            filter = KnowledgeJson.filter(root.get("metadata_condition"), "metadata_condition");
            grouping = KnowledgeJson.grouping(root, Grouping.DOCUMENT);
        } catch (GatewayException e) {
            return done(difyError(HttpStatus.BAD_REQUEST, 400, e.error().message()));
        }
        CallerContext context = CallerContext.of(caller.get(), RequestIds.of(request), null, System.nanoTime(),
                ApiKeyFilter.clientAddress(request));
        return knowledge.query(KnowledgeQuery.of(context, List.of(knowledgeId), query, topK, threshold, filter, grouping))
                .<MutableHttpResponse<?>>thenApply(found -> {
                    MutableHttpResponse<?> response = json(HttpStatus.OK,
                            Map.of("records", found.matches().stream().map(DifyRetrievalController::record).toList()));
                    RateLimitHeaders.write(found.rateLimit(), response::header);
                    return response;
                })
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
                        MutableHttpResponse<?> response = difyError(HttpStatus.valueOf(g.error().httpStatus()), g.error().httpStatus(),
                                g.error().message());
                        // A 429 (the key's limits) or a 503 says when to come back, and where the key stands.
                        ErrorResponses.writeHeaders(context.requestId(), g.error(), response::header);
                        return response;
                    }
                    return difyError(HttpStatus.INTERNAL_SERVER_ERROR, 500, "The server had an error while processing your request.");
                });
    }

    /** One Dify record: the document's best passages (or the chunk), its calibrated score, title and metadata. */
    private static Map<String, Object> record(KnowledgeMatch m) {
        Map<String, Object> metadata = new LinkedHashMap<>(KnowledgeJson.write(m.metadata()));
        metadata.put("path", m.url().isEmpty() ? "kb://" + m.knowledgeBase() + "/" + m.documentId() : m.url());
        metadata.put("knowledge_base", m.knowledgeBase());
        metadata.put("document_id", m.documentId());
        metadata.put("chunk_ids", m.passages().stream().map(MatchedPassage::chunkId).toList());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("content", m.content());
        r.put("score", m.score());
        r.put("title", m.title());
        r.put("metadata", metadata);
        return r;
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
