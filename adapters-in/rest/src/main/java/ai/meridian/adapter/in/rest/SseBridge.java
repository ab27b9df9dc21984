package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Turns a chat stream into an SSE response. The HTTP head is sent only when the first token is there,
 * so until then a failure is still a plain HTTP error (and the fallback plan can act unseen); each
 * chunk is written the moment it arrives. A client that goes away cancels the upstream call.
 */
final class SseBridge implements ChatStreamObserver {
    static final String DONE = "data: [DONE]\n\n";

    private final String requestId;
    private final boolean includeUsage;
    private final ClientConnection client;
    private final Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<MutableHttpResponse<?>> head = new CompletableFuture<>();
    private volatile Cancellable upstream;
    private volatile boolean clientGone;
    private StreamStart start;
    private boolean first = true;

    SseBridge(String requestId, boolean includeUsage, ClientConnection client) {
        this.requestId = requestId;
        this.includeUsage = includeUsage;
        this.client = client;
        client.onClose(this::clientLeft);
    }

    CompletableFuture<MutableHttpResponse<?>> response() {
        return head;
    }

    void upstream(Cancellable handle) {
        this.upstream = handle;
        if (clientGone) {
            handle.cancel();
        }
    }

    private void clientLeft() {
        clientGone = true;
        Cancellable handle = upstream;
        if (handle != null) {
            handle.cancel();
        }
    }

    @Override
    public void onStart(StreamStart streamStart) {
        this.start = streamStart;
        Flux<String> body = sink.asFlux().doOnCancel(this::clientLeft);
        MutableHttpResponse<?> response = HttpResponse.ok(body)
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                .header("cache-control", "no-cache")
                .header("x-accel-buffering", "no")
                .header(RequestIds.HEADER, requestId)
                .header("x-meridian-backend", streamStart.servedBy().backend())
                .header("x-meridian-fallback-tier", String.valueOf(streamStart.servedBy().tier()));
        streamStart.conversationId().ifPresent(id -> response.header(ChatCompletionsController.CONVERSATION_HEADER, id));
        head.complete(response);
    }

    @Override
    public void onDelta(Delta delta) {
        sink.tryEmitNext(event(OpenAiJsonWriter.deltaChunk(start, delta, first)));
        first = false;
    }

    @Override
    public void onFinish(FinishReason reason, TokenUsage usage) {
        if (first) {
            sink.tryEmitNext(event(OpenAiJsonWriter.deltaChunk(start, Delta.of(""), true)));
        }
        sink.tryEmitNext(event(OpenAiJsonWriter.finishChunk(start, reason)));
        if (includeUsage) {
            sink.tryEmitNext(event(OpenAiJsonWriter.usageChunk(start, usage)));
        }
        sink.tryEmitNext(DONE);
        sink.tryEmitComplete();
        client.detach();
    }

    /** One server-sent event; the JSON never contains a raw newline, so one data line suffices. */
    private static String event(String json) {
        return "data: " + json + "\n\n";
    }

    @Override
    public void onError(GatewayError error) {
        client.detach();
        if (start == null) {
            head.completeExceptionally(new GatewayException(error));
            return;
        }
        // OpenAI's way to fail a stream that has begun: an error event, then the end of the stream.
        sink.tryEmitNext(event(OpenAiJsonWriter.errorEvent(error)));
        sink.tryEmitComplete();
    }
}
