package ai.meridian.adapter.in.responses;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.CreateResponseUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.application.port.in.ManageResponsesUseCase;
import ai.meridian.application.port.in.ResponseCommand;
import ai.meridian.application.port.in.ResponseReply;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.EventStream;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.inboundhttp.RequestJson;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * OpenAI's Responses API: {@code POST /v1/responses} (whole or streamed as typed events), {@code GET} and
 * {@code DELETE /v1/responses/{id}}, {@code GET /v1/responses/{id}/input_items}, and {@code POST
 * /v1/responses/{id}/cancel} (which only background responses have; this gateway runs none, so it says so). Answers
 * come from the same core as chat; this door translates. Errors are in OpenAI's shape, parameters named as this API
 * names them.
 */
@Controller
final class ResponsesController {
    private final CreateResponseUseCase responses;
    private final ManageResponsesUseCase stored;
    private final ForwardedHeaders forwarded;
    private final boolean storeByDefault;

    ResponsesController(CreateResponseUseCase responses, ManageResponsesUseCase stored, ForwardedHeaders forwarded,
                        @Value("${meridian.responses.store-by-default:true}") boolean storeByDefault) {
        this.responses = responses;
        this.stored = stored;
        this.forwarded = forwarded;
        this.storeByDefault = storeByDefault;
    }

    @Post(uri = "/v1/responses", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> create(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        Caller caller = ApiKeyFilter.callerOf(request);
        CallerContext context = CallerContext.of(caller, requestId, request.getHeaders().get("traceparent"), receivedAt,
                ApiKeyFilter.clientAddress(request), forwarded.select(request.getHeaders()::get));
        ResponsesRequestParser.Parsed parsed;
        try {
            parsed = ResponsesRequestParser.parse(RequestJson.readObject(body), storeByDefault);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(inThisApi(e));
        }
        ClientConnection client = ClientConnection.of(request);
        return resolve(context, parsed.input()).thenCompose(items -> {
            ResponseCommand command = command(context, parsed, InputFolding.fold(items));
            if (!parsed.stream()) {
                CompletableFuture<ResponseReply> reply = responses.create(command);
                client.onClose(() -> reply.cancel(false));
                reply.whenComplete((r, e) -> client.detach());
                return reply.thenApply(r -> {
                    String logprobs = parsed.attributes().logprobs() ? ResponsesStream.logprobContent(r.reply().completion().first().logprobs()) : null;
                    ResponsesJsonWriter.View view = ResponsesJsonWriter.view(r.response(), parsed.attributes(), command.store(),
                            Items.output(r.response(), parsed.attributes(), logprobs));
                    MutableHttpResponse<?> response = HttpResponse.ok(ResponsesJsonWriter.response(view)).contentType(MediaType.APPLICATION_JSON_TYPE);
                    AnswerHeaders.write(requestId, r.reply().servedBy(), Optional.empty(), r.reply().rateLimit(), response::header);
                    return (MutableHttpResponse<?>) response;
                });
            }
            EventStream events = new EventStream(client);
            ResponsesStream stream = new ResponsesStream(requestId, parsed.attributes(), command.store(),
                    parsed.previousResponseId().orElse(null), events);
            events.upstream(responses.stream(command, stream));
            return events.response();
        }).exceptionallyCompose(error -> CompletableFuture.failedFuture(inThisApi(error)));
    }

    private static ResponseCommand command(CallerContext context, ResponsesRequestParser.Parsed parsed, List<ChatMessage> input) {
        if (input.isEmpty()) {
            throw RequestJson.invalidValue("input", "Invalid 'input': it has no message, function call or function output for the model.");
        }
        List<ChatMessage> messages = new ArrayList<>(input.size() + 1);
        if (parsed.instructions() != null) {
            messages.add(ChatMessage.system(parsed.instructions()));
        }
        messages.addAll(input);
        ChatRequest request;
        try {
            request = new ChatRequest(parsed.model(), messages, parsed.params(), parsed.stream(), parsed.stream(), parsed.grounding(), parsed.tools());
        } catch (InvalidValueException e) {
            throw RequestJson.invalidValue(ResponsesRequestParser.responsesParam(e.param()), e.getMessage());
        }
        return new ResponseCommand(context, request, parsed.instructions() == null ? 0 : 1, parsed.previousResponseId(), parsed.store(),
                parsed.truncate(), parsed.attributes().toJson());
    }

    /** Replaces each {@code item_reference} by the stored item it names (in the caller's tenant); an unknown one is a 404. */
    private CompletableFuture<List<InputItem>> resolve(CallerContext caller, List<InputItem> items) {
        Map<ResponseId, CompletableFuture<StoredResponse>> reads = new LinkedHashMap<>();
        for (InputItem item : items) {
            if (item instanceof InputItem.Reference ref) {
                Optional<ResponseId.ItemRef> named = ResponseId.ofItem(ref.id());
                if (named.isEmpty()) {
                    return CompletableFuture.failedFuture(itemNotFound(ref));
                }
                reads.computeIfAbsent(named.get().response(), id -> stored.read(caller, id.value()));
            }
        }
        if (reads.isEmpty()) {
            return CompletableFuture.completedFuture(items);
        }
        Map<ResponseId, StoredResponse> found = Collections.synchronizedMap(new HashMap<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        reads.forEach((id, read) -> all.add(read.handle((r, e) -> {
            if (e == null) {
                found.put(id, r);
            }
            return null;
        })));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<InputItem> resolved = new ArrayList<>(items.size());
            for (InputItem item : items) {
                if (item instanceof InputItem.Reference ref) {
                    ResponseId.ItemRef named = ResponseId.ofItem(ref.id()).orElseThrow();
                    StoredResponse response = found.get(named.response());
                    if (response == null) {
                        failIfUnavailable(reads.get(named.response()));
                        throw itemNotFound(ref);
                    }
                    resolved.add(Items.find(response, Attributes.fromJson(response.attributes()), ref.id())
                            .orElseThrow(() -> itemNotFound(ref)).asInput());
                } else {
                    resolved.add(item);
                }
            }
            return resolved;
        });
    }

    /** A store outage while following a reference is the outage, not a missing item. */
    private static void failIfUnavailable(CompletableFuture<StoredResponse> read) {
        try {
            read.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof GatewayException g && g.error().kind() != ErrorKind.NOT_FOUND) {
                throw g;
            }
        }
    }

    private static GatewayException itemNotFound(InputItem.Reference ref) {
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, "Item with id '" + RequestJson.shown(ref.id()) + "' not found.",
                ref.path(), null, null));
    }

    @Get(uri = "/v1/responses/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> read(HttpRequest<?> request, @PathVariable String id, @Nullable @QueryValue String stream) {
        if ("true".equals(stream)) {
            return CompletableFuture.failedFuture(RequestJson.unsupported("stream", "Streaming a stored response again is not supported: "
                    + "this gateway runs no background responses, so a response is whole once it is stored."));
        }
        return stored.read(context(request), id).thenApply(r -> {
            Attributes a = Attributes.fromJson(r.attributes());
            ResponsesJsonWriter.View view = ResponsesJsonWriter.view(r, a, true, Items.output(r, a, null));
            return json(request, ResponsesJsonWriter.response(view));
        });
    }

    @Delete(uri = "/v1/responses/{id}", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> delete(HttpRequest<?> request, @PathVariable String id) {
        return stored.delete(context(request), id).thenApply(ignored -> json(request, ResponsesJsonWriter.deleted(id)));
    }

    /** Only background responses can be cancelled; this gateway answers every response in the request that made it. */
    @Post(uri = "/v1/responses/{id}/cancel", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> cancel(HttpRequest<?> request, @PathVariable String id) {
        return stored.read(context(request), id).thenApply(r -> {
            throw new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST, "Only responses created with background=true can be cancelled; "
                    + "this gateway runs no background responses (a streamed response is cancelled by closing its connection).",
                    null, "not_cancellable", null));
        });
    }

    @Get(uri = "/v1/responses/{id}/input_items", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> inputItems(HttpRequest<?> request, @PathVariable String id, @Nullable @QueryValue String limit,
                                                         @Nullable @QueryValue String order, @Nullable @QueryValue String after) {
        int size;
        try {
            size = limit == null ? 20 : Integer.parseInt(limit);
        } catch (NumberFormatException e) {
            return CompletableFuture.failedFuture(RequestJson.invalidValue("limit", "Invalid 'limit': expected an integer from 1 to 100."));
        }
        if (size < 1 || size > 100) {
            return CompletableFuture.failedFuture(RequestJson.invalidValue("limit", "Invalid 'limit': expected an integer from 1 to 100."));
        }
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            return CompletableFuture.failedFuture(RequestJson.invalidValue("order", "Invalid 'order': expected 'asc' or 'desc'."));
        }
        return stored.read(context(request), id).thenApply(r -> {
            List<Items.Item> all = new ArrayList<>(Items.input(r));
            if (!"asc".equals(order)) {
                Collections.reverse(all);
            }
            int from = 0;
            if (after != null) {
                from = -1;
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).id().equals(after)) {
                        from = i + 1;
                    }
                }
                if (from < 0) {
                    throw RequestJson.invalidValue("after", "Invalid 'after': no input item with id '" + RequestJson.shown(after) + "'.");
                }
            }
            List<Items.Item> page = all.subList(from, Math.min(all.size(), from + size));
            return json(request, ResponsesJsonWriter.inputItems(page, from + size < all.size()));
        });
    }

    private static MutableHttpResponse<?> json(HttpRequest<?> request, byte[] body) {
        return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE).header(RequestIds.HEADER, RequestIds.of(request));
    }

    private static CallerContext context(HttpRequest<?> request) {
        return CallerContext.of(ApiKeyFilter.callerOf(request), RequestIds.of(request), request.getHeaders().get("traceparent"), System.nanoTime(),
                ApiKeyFilter.clientAddress(request));
    }

    /** An error with the parameter named as this API names it ({@code input}, {@code max_output_tokens}, {@code text.format}). */
    static Throwable inThisApi(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof GatewayException g) {
            return new GatewayException(inThisApi(g.error()), g.getCause());
        }
        return cause;
    }

    static GatewayError inThisApi(GatewayError error) {
        String param = ResponsesRequestParser.responsesParam(error.param());
        if (java.util.Objects.equals(param, error.param())) {
            return error;
        }
        return new GatewayError(error.kind(), error.message(), param, error.code(), error.retryAfter());
    }
}
