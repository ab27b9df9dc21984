package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.out.Cancellable;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * A server-sent-event response for the protocol doors, whatever their events look like. The HTTP head goes out
 * only when the door {@link #open opens} the stream (on the first token), so until then a failure is still a plain
 * HTTP error in the door's shape; each event is written the moment it is sent. A client that goes away cancels the
 * upstream call.
 */
public final class EventStream {
    private final ClientConnection client;
    private final Sinks.Many<String> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<MutableHttpResponse<?>> head = new CompletableFuture<>();
    private volatile Cancellable upstream;
    private volatile boolean clientGone;
    private volatile boolean opened;

    public EventStream(ClientConnection client) {
        this.client = client;
        client.onClose(this::clientLeft);
    }

    /** The response the controller returns: completes when the stream opens, or fails with the error before it. */
    public CompletableFuture<MutableHttpResponse<?>> response() {
        return head;
    }

    /** What to cancel when the client leaves. */
    public void upstream(Cancellable handle) {
        this.upstream = handle;
        if (clientGone) {
            handle.cancel();
        }
    }

    public boolean opened() {
        return opened;
    }

    /** Sends the head (status 200, {@code text/event-stream}, the headers the door writes) with the events sent so far. */
    public void open(Consumer<BiConsumer<String, String>> headers) {
        opened = true;
        Flux<String> body = sink.asFlux().doOnCancel(this::clientLeft);
        MutableHttpResponse<?> response = HttpResponse.ok(body).contentType(MediaType.TEXT_EVENT_STREAM_TYPE);
        response.header("cache-control", "no-cache");
        response.header("x-accel-buffering", "no");
        headers.accept(response::header);
        head.complete(response);
    }

    /** One or more whole events, as text. */
    public void send(String events) {
        sink.tryEmitNext(events);
    }

    /** Ends the stream (after its last event). */
    public void end() {
        sink.tryEmitComplete();
        client.detach();
    }

    /** Fails the request before the stream opened: the client gets this error as an HTTP answer. */
    public void failBeforeOpen(GatewayError error) {
        client.detach();
        head.completeExceptionally(new GatewayException(error));
    }

    private void clientLeft() {
        clientGone = true;
        Cancellable handle = upstream;
        if (handle != null) {
            handle.cancel();
        }
    }
}
