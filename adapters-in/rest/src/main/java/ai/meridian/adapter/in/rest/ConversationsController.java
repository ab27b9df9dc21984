package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageConversationsUseCase.PageRequest;
import ai.meridian.application.port.in.ManageConversationsUseCase;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.PathVariable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/conversations}: the caller's stored conversations. {@code GET} lists them (newest first,
 * {@code limit} 1–100, {@code after} an id from the previous page), {@code GET /{id}} reads one with its
 * turns, {@code PATCH /{id}} renames it ({@code {"title": "..."}}), {@code DELETE /{id}} deletes it.
 * Ids of other tenants are 404, exactly like ids that never existed.
 */
@Controller
final class ConversationsController {
    private final ManageConversationsUseCase conversations;

    ConversationsController(ManageConversationsUseCase conversations) {
        this.conversations = conversations;
    }

    private static CallerContext caller(HttpRequest<?> request) {
        return ApiKeyFilter.context(request);
    }

    private static MutableHttpResponse<byte[]> json(HttpRequest<?> request, byte[] body) {
        return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE).header(RequestIds.HEADER, RequestIds.of(request));
    }

    @Get(uri = "/v1/conversations", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> list(HttpRequest<?> request) {
        PageRequest page = pageRequest(request.getParameters().getAll("limit"), request.getParameters().getAll("after"));
        return conversations.list(caller(request), page).thenApply(p -> json(request, ConversationJson.page(p)));
    }

    @Get(uri = "/v1/conversations/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> read(HttpRequest<?> request, @PathVariable("id") String id) {
        return conversations.read(caller(request), id).thenApply(t -> json(request, ConversationJson.transcript(t)));
    }

    @Patch(uri = "/v1/conversations/{id}", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> rename(HttpRequest<?> request, @PathVariable("id") String id, @Body @Nullable byte[] body) {
        JsonNode root = RequestJson.readObject(body);
        JsonNode title = root.get("title");
        if (title == null || title.isNull()) {
            throw RequestJson.missing("title");
        }
        if (!title.isTextual()) {
            throw RequestJson.wrongType("title", "a string", title);
        }
        return conversations.rename(caller(request), id, title.asText()).thenApply(c -> json(request, ConversationJson.conversation(c)));
    }

    @Delete(uri = "/v1/conversations/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<byte[]>> delete(HttpRequest<?> request, @PathVariable("id") String id) {
        return conversations.delete(caller(request), id).thenApply(ignored -> json(request, ConversationJson.deleted(id)));
    }

    /** Reads {@code limit} and {@code after}; anything else in the query is ignored, as OpenAI does. */
    static PageRequest pageRequest(List<String> limits, List<String> afters) {
        int limit = PageRequest.DEFAULT_LIMIT;
        if (limits.size() > 1 || afters.size() > 1) {
            String param = limits.size() > 1 ? "limit" : "after";
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid '" + param + "': give it at most once.", param, "invalid_value", null));
        }
        if (!limits.isEmpty()) {
            try {
                limit = Integer.parseInt(limits.get(0).trim());
            } catch (NumberFormatException e) {
                throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Invalid 'limit': expected an integer from 1 to " + PageRequest.MAX_LIMIT + ".", "limit", "invalid_type", null));
            }
        }
        try {
            Optional<ConversationId> after = afters.isEmpty() ? Optional.empty() : Optional.of(new ConversationId(afters.get(0)));
            return new PageRequest(limit, after);
        } catch (InvalidValueException e) {
            String param = "conversation_id".equals(e.param()) ? "after" : e.param();
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                    "Invalid '" + param + "': " + e.getMessage(), param, "invalid_value", null));
        }
    }
}
