package ai.meridian.adapter.in.completions;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.ForwardedHeaders;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.EventStream;
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
 * {@code POST /v1/completions}: the legacy Completions API (Dify's "completion" mode, older SDKs), answered whole or
 * streamed. The request goes through the same core as chat (routing, fallback, grounding, limits, usage) in its
 * text-completion mode: only backends that serve raw prompts get it.
 */
@Controller
final class CompletionsController {
    private final CompleteChatUseCase chat;
    private final ForwardedHeaders forwarded;

    CompletionsController(CompleteChatUseCase chat, ForwardedHeaders forwarded) {
        this.chat = chat;
        this.forwarded = forwarded;
    }

    @Post(uri = "/v1/completions", consumes = {MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL},
            produces = {MediaType.APPLICATION_JSON, MediaType.TEXT_EVENT_STREAM})
    CompletableFuture<MutableHttpResponse<?>> complete(HttpRequest<?> request, @Body @Nullable byte[] body) {
        long receivedAt = System.nanoTime();
        String requestId = RequestIds.of(request);
        ChatCommand command = CompletionsRequestParser.command(body, requestId, ApiKeyFilter.callerOf(request), receivedAt,
                ApiKeyFilter.clientAddress(request), request.getHeaders()::get, forwarded);
        ClientConnection client = ClientConnection.of(request);
        if (!command.request().stream()) {
            CompletableFuture<ChatReply> reply = chat.complete(command);
            client.onClose(() -> reply.cancel(false));
            reply.whenComplete((r, e) -> client.detach());
            return reply.thenApply(r -> {
                MutableHttpResponse<?> response = HttpResponse.ok(CompletionsJsonWriter.completion(r)).contentType(MediaType.APPLICATION_JSON_TYPE);
                AnswerHeaders.write(requestId, r.servedBy(), r.conversationId(), r.rateLimit(), response::header);
                return response;
            });
        }
        EventStream events = new EventStream(client);
        events.upstream(chat.stream(command, new CompletionsStream(requestId, command.request().includeUsage(), events)));
        return events.response();
    }
}
