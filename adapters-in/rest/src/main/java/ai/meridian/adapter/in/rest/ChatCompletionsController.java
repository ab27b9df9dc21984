package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.openaiwire.ChatRequestParser;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import java.util.concurrent.CompletableFuture;

/** {@code POST /v1/chat/completions}: OpenAI's chat API, answered whole as JSON or streamed as SSE. */
@Controller
final class ChatCompletionsController {
    /** Request header that names the conversation; the response carries the id under the same name. */
    static final String CONVERSATION_HEADER = AnswerHeaders.CONVERSATION_HEADER;
    private final CompleteChatUseCase chat;
    private final ForwardedHeaders forwarded;

    ChatCompletionsController(CompleteChatUseCase chat, ForwardedHeaders forwarded) {
        this.chat = chat;
        this.forwarded = forwarded;
    }

    @Post(uri = "/v1/chat/completions", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> complete(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        ChatCommand command = ChatRequestParser.command(body, requestId, ApiKeyFilter.callerOf(request), receivedAt,
                ApiKeyFilter.clientAddress(request), request.getHeaders()::get, forwarded);
        ChatRequest chatRequest = command.request();
        ClientConnection client = ClientConnection.of(request);
        if (!chatRequest.stream()) {
            CompletableFuture<ChatReply> reply = chat.complete(command);
            client.onClose(() -> reply.cancel(false));
            reply.whenComplete((r, e) -> client.detach());
            return reply.thenApply(r -> {
                MutableHttpResponse<?> response = HttpResponse.ok(OpenAiJsonWriter.completion(r))
                        .contentType(MediaType.APPLICATION_JSON_TYPE);
                AnswerHeaders.write(requestId, r.servedBy(), r.conversationId(), r.rateLimit(), response::header);
                return response;
            });
        }
        SseBridge bridge = new SseBridge(requestId, chatRequest.includeUsage(), client);
        bridge.upstream(chat.stream(command, bridge));
        return bridge.response();
    }
}
