package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.domain.chat.ChatRequest;
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
    private final CompleteChatUseCase chat;

    ChatCompletionsController(CompleteChatUseCase chat) {
        this.chat = chat;
    }

    @Post(uri = "/v1/chat/completions", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> complete(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        ChatRequest chatRequest = ChatRequestParser.parse(body);
        Caller caller = ApiKeyFilter.callerOf(request);
        ChatCommand command = new ChatCommand(
                new CallerContext(requestId, caller.tenant(), caller.keyId(), request.getHeaders().get("traceparent"), receivedAt),
                chatRequest);
        ClientConnection client = ClientConnection.of(request);
        if (!chatRequest.stream()) {
            CompletableFuture<ChatReply> reply = chat.complete(command);
            client.onClose(() -> reply.cancel(false));
            reply.whenComplete((r, e) -> client.detach());
            return reply.thenApply(r -> HttpResponse.ok(OpenAiJsonWriter.completion(r))
                    .contentType(MediaType.APPLICATION_JSON_TYPE)
                    .header(RequestIds.HEADER, requestId)
                    .header("x-meridian-backend", r.servedBy().backend())
                    .header("x-meridian-fallback-tier", String.valueOf(r.servedBy().tier())));
        }
        SseBridge bridge = new SseBridge(requestId, chatRequest.includeUsage(), client);
        bridge.upstream(chat.stream(command, bridge));
        return bridge.response();
    }
}
