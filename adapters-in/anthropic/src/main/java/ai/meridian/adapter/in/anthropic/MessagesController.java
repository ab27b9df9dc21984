package ai.meridian.adapter.in.anthropic;

import ai.meridian.support.json.JsonOutput;
import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.CountTokensUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.RequestIds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.util.concurrent.CompletableFuture;

/**
 * Anthropic's Messages API: {@code POST /v1/messages} (answered whole as a {@code message}, or streamed as
 * Anthropic's named events) and {@code POST /v1/messages/count_tokens}. It only translates: the request becomes the
 * domain's chat request for {@link CompleteChatUseCase}, which applies every policy of the core (keys and tenants,
 * routing, fallback, grounding, conversations, usage) as for any other door. {@code anthropic-version} and
 * {@code anthropic-beta} headers are accepted (this door speaks the 2023-06-01 version; a backend whose
 * {@code forward-headers} name them receives them); the key comes from
 * {@code x-api-key} or {@code Authorization: Bearer}.
 */
@Controller
final class MessagesController {
    /** Anthropic's header for the request id, which its SDKs show as {@code _request_id}. */
    static final String REQUEST_ID = "request-id";

    private final CompleteChatUseCase chat;
    private final CountTokensUseCase tokens;
    private final AnthropicSettings settings;
    private final ForwardedHeaders forwarded;

    MessagesController(CompleteChatUseCase chat, CountTokensUseCase tokens, AnthropicSettings settings, ForwardedHeaders forwarded) {
        this.chat = chat;
        this.tokens = tokens;
        this.settings = settings;
        this.forwarded = forwarded;
    }

    @Post(uri = AnthropicDoor.PATH, consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> messages(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        MessagesRequestParser.Parsed parsed = MessagesRequestParser.parse(body, false, settings,
                request.getHeaders().get(MessagesRequestParser.CONVERSATION_HEADER));
        Caller caller = ApiKeyFilter.callerOf(request);
        ChatCommand command = new ChatCommand(CallerContext.of(caller, requestId, request.getHeaders().get("traceparent"), receivedAt,
                ApiKeyFilter.clientAddress(request), forwarded.select(request.getHeaders()::get))
                .withCache(parsed.cache(request.getHeaders().get("cache-control"))), parsed.request(), parsed.conversation());
        ClientConnection client = ClientConnection.of(request);
        if (!parsed.request().stream()) {
            CompletableFuture<ChatReply> reply = chat.complete(command);
            client.onClose(() -> reply.cancel(false));
            reply.whenComplete((r, e) -> client.detach());
            return reply.thenApply(r -> {
                MutableHttpResponse<?> response = HttpResponse.ok(AnthropicJsonWriter.message(r, parsed.requestedModel(),
                        parsed.request().params().stop())).contentType(MediaType.APPLICATION_JSON_TYPE);
                AnswerHeaders.write(requestId, r.servedBy(), r.conversationId(), r.rateLimit(), response::header);
                AnthropicRateLimitHeaders.write(r.rateLimit(), response::header);
                response.header(REQUEST_ID, requestId);
                return response;
            });
        }
        MessagesStream stream = new MessagesStream(requestId, parsed.requestedModel(), parsed.request().params().stop(), client,
                settings.pingInterval());
        stream.upstream(chat.stream(command, stream));
        return stream.response();
    }

    /**
     * The prompt's tokens as the gateway counts them: messages, system and tool definitions of a Messages request
     * for a model it serves. Generation controls in the body (max_tokens, temperature, ...) do not change a count
     * and are accepted as they are.
     */
    @Post(uri = AnthropicDoor.PATH + "/count_tokens", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = MediaType.APPLICATION_JSON)
    MutableHttpResponse<byte[]> countTokens(HttpRequest<?> request, @Body @Nullable byte[] body) {
        String requestId = RequestIds.of(request);
        MessagesRequestParser.Parsed parsed = MessagesRequestParser.parse(body, true, settings, null);
        int count = tokens.countPromptTokens(ApiKeyFilter.context(request), parsed.request());
        return HttpResponse.ok(JsonOutput.bytes(g -> {
            g.writeStartObject();
            g.writeNumberField("input_tokens", count);
            g.writeEndObject();
        })).contentType(MediaType.APPLICATION_JSON_TYPE).header(RequestIds.HEADER, requestId).header(REQUEST_ID, requestId);
    }
}
