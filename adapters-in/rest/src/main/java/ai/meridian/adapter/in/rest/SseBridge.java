package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.NumberedStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.ClientConnection;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.concurrent.CompletableFuture;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Turns a chat stream into an SSE response. The HTTP head is sent only when the first token is there,
 * so until then a failure is still a plain HTTP error (and the fallback plan can act unseen); each
 * chunk is written the moment it arrives, with its event number as the SSE {@code id}. A client that goes away
 * detaches from the stream (which goes on for the resume window) or, when streams are not resumable, cancels the
 * upstream call. Also writes resumed streams ({@code GET /v1/chat/completions/{id}/events}).
 */
final class SseBridge implements NumberedStreamObserver {
    private final String requestId;
    private final SseEvents events;
    private final ClientConnection client;
    private final Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<MutableHttpResponse<?>> head = new CompletableFuture<>();
    private volatile Cancellable upstream;
    private volatile boolean clientGone;
    private boolean resumable;

    SseBridge(String requestId, boolean includeUsage, ClientConnection client) {
        this.requestId = requestId;
        this.events = new SseEvents(includeUsage);
        this.client = client;
        client.onClose(this::clientLeft);
    }

    /** A bridge for a resumed stream: nothing numbered {@code lastEventId} or lower is written again. */
    static SseBridge resuming(String requestId, boolean includeUsage, ClientConnection client, long lastEventId) {
        SseBridge bridge = new SseBridge(requestId, includeUsage, client);
        bridge.events.resumedAfter(lastEventId);
        return bridge;
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
    public void onEventNumber(long number) {
        events.number(number);
    }

    @Override
    public void onResumable(long windowMillis) {
        resumable = true;
    }

    @Override
    public void onStart(StreamStart streamStart) {
        events.start(streamStart);
        Flux<String> body = sink.asFlux().doOnCancel(this::clientLeft);
        MutableHttpResponse<?> response = HttpResponse.ok(body).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
        AnswerHeaders.writeStream(requestId, streamStart.servedBy(), streamStart.conversationId(), streamStart.rateLimit(), response::header);
        if (resumable) {
            response.header(AnswerHeaders.STREAM_ID, streamStart.id());
        }
        head.complete(response);
    }

    @Override
    public void onDelta(Delta delta) {
        emit(events.delta(delta));
    }

    @Override
    public void onFinish(StreamEnd end) {
        sink.tryEmitNext(events.finish(end));
        sink.tryEmitComplete();
        client.detach();
    }

    @Override
    public void onError(GatewayError error) {
        client.detach();
        if (!events.started()) {
            head.completeExceptionally(new GatewayException(error));
            return;
        }
        emit(events.errorEvent(error));
        sink.tryEmitComplete();
    }

    private void emit(String event) {
        if (!event.isEmpty()) {
            sink.tryEmitNext(event);
        }
    }
}
