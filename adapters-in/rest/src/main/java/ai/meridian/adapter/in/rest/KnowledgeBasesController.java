package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.IngestDocumentsUseCase.DocumentSource;
import ai.meridian.application.port.in.IngestDocumentsUseCase;
import ai.meridian.application.port.in.ManageKnowledgeBasesUseCase.KnowledgeBaseSummary;
import ai.meridian.application.port.in.ManageKnowledgeBasesUseCase;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.Grouping;
import ai.meridian.application.port.in.QueryKnowledgeUseCase.KnowledgeQuery;
import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.application.port.out.DocumentContent;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.Json;
import ai.meridian.support.inboundhttp.RateLimitHeaders;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.multipart.CompletedFileUpload;
import io.micronaut.http.multipart.CompletedPart;
import io.micronaut.http.server.multipart.MultipartBody;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;

/**
 * Knowledge bases: {@code /v1/knowledge_bases} (create, list), {@code /v1/knowledge_bases/{name}} (read,
 * delete), its {@code documents} (ingest as a background job, list, delete one) and
 * {@code /v1/ingestion_jobs/{id}} (progress). Everything is scoped to the caller's tenant.
 */
@Controller
@Requires(beans = {ManageKnowledgeBasesUseCase.class, IngestDocumentsUseCase.class, QueryKnowledgeUseCase.class})
final class KnowledgeBasesController {
    private final ManageKnowledgeBasesUseCase bases;
    private final IngestDocumentsUseCase ingestion;
    private final QueryKnowledgeUseCase knowledge;

    KnowledgeBasesController(ManageKnowledgeBasesUseCase bases, IngestDocumentsUseCase ingestion, QueryKnowledgeUseCase knowledge) {
        this.bases = bases;
        this.ingestion = ingestion;
        this.knowledge = knowledge;
    }

    /**
     * Retrieval only: {@code {"query", "top_k" (5), "score_threshold" (0), "filter" (metadata_condition shape),
     * "group_by" ("chunk" | "document", default "chunk")}} → the best passages (or documents) with calibrated scores.
     */
    @Post(uri = "/v1/knowledge_bases/{name}/query", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> query(HttpRequest<?> request, @PathVariable String name, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        String query = RequestJson.requiredString(root, "query");
        Integer topK = RequestJson.optionalInt(root, "top_k");
        Double threshold = RequestJson.optionalNumber(root, "score_threshold");
        MetadataFilter filter = KnowledgeJson.filter(root.get("filter"), "filter");
        Grouping grouping = KnowledgeJson.grouping(root, Grouping.CHUNK);
        CallerContext caller = tenant(request);
        return knowledge.query(KnowledgeQuery.of(caller, List.of(name), query, topK == null ? 5 : topK,
                        threshold == null ? 0 : threshold, filter, grouping))
                .thenApply(found -> {
                    MutableHttpResponse<?> response = json(HttpStatus.OK, Map.of("object", "list",
                            "data", found.matches().stream().map(m -> KnowledgeJson.match(m, grouping)).toList()), request);
                    RateLimitHeaders.write(found.rateLimit(), response::header);
                    return response;
                });
    }

    private static CallerContext tenant(HttpRequest<?> request) {
        return ApiKeyFilter.context(request);
    }

    @Post(uri = "/v1/knowledge_bases", consumes = {MediaType.APPLICATION_JSON, MediaType.ALL}, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> create(HttpRequest<?> request, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        String name = RequestJson.requiredString(root, "name");
        String description = RequestJson.optionalString(root, "description");
        return bases.create(tenant(request), name, description).thenApply(base -> json(HttpStatus.CREATED,
                summary(new KnowledgeBaseSummary(base, 0, 0)), request));
    }

    @Get(uri = "/v1/knowledge_bases", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> list(HttpRequest<?> request) {
        return bases.list(tenant(request)).thenApply(all -> json(HttpStatus.OK,
                Map.of("object", "list", "data", all.stream().map(KnowledgeBasesController::summary).toList()), request));
    }

    @Get(uri = "/v1/knowledge_bases/{name}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> get(HttpRequest<?> request, @PathVariable String name) {
        return bases.get(tenant(request), name).thenApply(s -> json(HttpStatus.OK, summary(s), request));
    }

    @Delete(uri = "/v1/knowledge_bases/{name}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> delete(HttpRequest<?> request, @PathVariable String name) {
        return bases.delete(tenant(request), name).thenApply(v -> json(HttpStatus.OK,
                Map.of("object", "knowledge_base.deleted", "name", name, "deleted", true), request));
    }

    /** JSON: {@code {"documents":[{"title","text","source"} | {"url"}]}}. */
    @Post(uri = "/v1/knowledge_bases/{name}/documents", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN},
            produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> ingestJson(HttpRequest<?> request, @PathVariable String name, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        JsonNode documents = root.get("documents");
        if (documents == null || documents.isNull()) {
            throw RequestJson.missing("documents");
        }
        if (!documents.isArray()) {
            throw RequestJson.wrongType("documents", "an array", documents);
        }
        List<DocumentSource> sources = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            JsonNode d = documents.get(i);
            String at = "documents[" + i + "]";
            if (!d.isObject()) {
                throw RequestJson.wrongType(at, "an object", d);
            }
            if (d.has("url")) {
                JsonNode url = d.get("url");
                if (!url.isTextual()) {
                    throw RequestJson.wrongType(at + ".url", "a string", url);
                }
                String value = url.asText();
                // Schemes are case-insensitive (RFC 3986): HTTP://host is an http URL.
                if (!value.regionMatches(true, 0, "http://", 0, 7) && !value.regionMatches(true, 0, "https://", 0, 8)) {
                    throw GatewayException.invalid(at + ".url", "Only http and https URLs can be ingested.");
                }
                sources.add(new DocumentSource.Url(value, documentMetadata(d, at)));
            } else {
                JsonNode text = d.get("text");
                if (text == null || text.isNull()) {
                    throw RequestJson.missing(at + ".text");
                }
                if (!text.isTextual()) {
                    throw RequestJson.wrongType(at + ".text", "a string", text);
                }
                sources.add(new DocumentSource.Text(stringOrEmpty(d, "title", at), text.asText(), stringOrEmpty(d, "source", at),
                        documentMetadata(d, at)));
            }
        }
        return accepted(request, name, sources);
    }

    /** {@code metadata} (an object) and, as a shorthand, {@code tags} (an array of strings) of one document. */
    private static DocumentMetadata documentMetadata(JsonNode d, String at) {
        DocumentMetadata metadata = KnowledgeJson.metadata(d.get("metadata"), at + ".metadata");
        JsonNode tags = d.get("tags");
        if (tags != null && !tags.isNull()) {
            com.fasterxml.jackson.databind.node.ObjectNode wrapper = Json.MAPPER.createObjectNode();
            wrapper.set("tags", tags);
            metadata = KnowledgeJson.metadata(wrapper, at).with(metadata);
        }
        return metadata;
    }

    /** Multipart: every file part is a document (text, Markdown, HTML or PDF); a {@code metadata} part (JSON object) applies to all. */
    @Post(uri = "/v1/knowledge_bases/{name}/documents", consumes = MediaType.MULTIPART_FORM_DATA, produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> ingestFiles(HttpRequest<?> request, @PathVariable String name, @Body MultipartBody body) {
        CallerContext tenant = tenant(request);
        return Flux.from(body).collectList().toFuture().thenCompose(parts -> {
            List<DocumentSource> sources = new ArrayList<>();
            DocumentMetadata metadata = DocumentMetadata.EMPTY;
            for (CompletedPart part : parts) {
                if (!(part instanceof CompletedFileUpload) && "metadata".equals(part.getName())) {
                    metadata = KnowledgeJson.metadata(RequestJson.readObject(partBytes(part)), "metadata");
                }
            }
            for (CompletedPart part : parts) {
                if (part instanceof CompletedFileUpload file) {
                    sources.add(new DocumentSource.File(new DocumentContent(file.getFilename(), contentType(file), bytes(file)), metadata));
                }
            }
            if (sources.isEmpty()) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "No complete file part was found. Send "
                        + "multipart/form-data with a boundary, each file in a part with 'Content-Disposition: form-data; name=\"file\"; "
                        + "filename=\"...\"', and the body ending with the closing boundary.", "file", "missing_required_parameter", null));
            }
            return ingestion.ingest(tenant, name, sources);
        }).thenApply(job -> json(HttpStatus.ACCEPTED, job(job), request));
    }

    private CompletableFuture<MutableHttpResponse<?>> accepted(HttpRequest<?> request, String name, List<DocumentSource> sources) {
        return ingestion.ingest(tenant(request), name, sources).thenApply(job -> json(HttpStatus.ACCEPTED, job(job), request));
    }

    @Get(uri = "/v1/knowledge_bases/{name}/documents", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> documents(HttpRequest<?> request, @PathVariable String name) {
        return bases.documents(tenant(request), name).thenApply(docs -> json(HttpStatus.OK,
                Map.of("object", "list", "data", docs.stream().map(KnowledgeBasesController::document).toList()), request));
    }

    @Delete(uri = "/v1/knowledge_bases/{name}/documents/{documentId}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> deleteDocument(HttpRequest<?> request, @PathVariable String name,
                                                             @PathVariable String documentId) {
        return bases.deleteDocument(tenant(request), name, documentId).thenApply(v -> json(HttpStatus.OK,
                Map.of("object", "document.deleted", "id", documentId, "deleted", true), request));
    }

    @Get(uri = "/v1/ingestion_jobs/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> job(HttpRequest<?> request, @PathVariable String id) {
        return ingestion.job(tenant(request), id).thenApply(job -> json(HttpStatus.OK, job(job), request));
    }

    /** The part's declared type, or a 400 naming the part when it cannot be parsed. */
    private static String contentType(CompletedFileUpload file) {
        try {
            return file.getContentType().map(MediaType::toString).orElse("");
        } catch (IllegalArgumentException e) {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "The Content-Type of the part '" + file.getFilename()
                    + "' cannot be parsed; give a media type such as text/plain or application/pdf, or leave the header out.",
                    "file", "invalid_value", null));
        }
    }

    private static byte[] partBytes(CompletedPart part) {
        try {
            return part.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(CompletedFileUpload file) {
        try {
            return file.getBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stringOrEmpty(JsonNode node, String field, String at) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isTextual()) {
            throw RequestJson.wrongType(at + "." + field, "a string", value);
        }
        return value.asText();
    }

    private static Map<String, Object> summary(KnowledgeBaseSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "knowledge_base");
        m.put("name", s.base().name());
        m.put("description", s.base().description());
        m.put("created_at", s.base().createdAt().getEpochSecond());
        m.put("documents", s.documents());
        m.put("chunks", s.chunks());
        if (!s.models().isEmpty()) {
            Map<String, Object> embedding = new LinkedHashMap<>();
            embedding.put("models", s.models());
            embedding.put("stale_chunks", s.staleChunks());
            m.put("embedding", embedding);
        }
        return m;
    }

    private static Map<String, Object> document(KnowledgeDocument d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "document");
        m.put("id", d.documentId());
        m.put("title", d.title());
        m.put("source", d.source());
        m.put("content_type", d.contentType());
        m.put("chunks", d.chunks());
        m.put("metadata", KnowledgeJson.write(d.metadata()));
        m.put("created_at", d.createdAt().getEpochSecond());
        return m;
    }

    static Map<String, Object> job(IngestionJob job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", "ingestion_job");
        m.put("id", job.id());
        m.put("knowledge_base", job.knowledgeBase());
        m.put("status", job.status().wireName());
        m.put("documents", Map.of("total", job.documentsTotal(), "done", job.documentsDone(), "failed", job.documentsFailed()));
        m.put("chunks", Map.of("total", job.chunksTotal(), "done", job.chunksDone()));
        m.put("errors", job.errors());
        m.put("created_at", job.createdAt().getEpochSecond());
        m.put("updated_at", job.updatedAt().getEpochSecond());
        return m;
    }

    private static MutableHttpResponse<?> json(HttpStatus status, Object body, HttpRequest<?> request) {
        try {
            return HttpResponse.status(status).body(Json.MAPPER.writeValueAsBytes(body))
                    .contentType(MediaType.APPLICATION_JSON_TYPE).header(RequestIds.HEADER, RequestIds.of(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
