package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.ResumeStreamUseCase.ResumeCommand;
import ai.meridian.application.port.in.ResumeStreamUseCase;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.ApiKeyFilter;
import ai.meridian.support.inboundhttp.ClientConnection;
import ai.meridian.support.inboundhttp.RequestIds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.util.concurrent.CompletableFuture;

/**
 * Resumable streams over HTTP: {@code GET /v1/chat/completions/{stream_id}/events} continues a streamed answer after
 * the event the client had ({@code Last-Event-ID}, or {@code ?after=}): the missed events, then the live rest, as the
 * same server-sent events; {@code POST /v1/chat/completions/{stream_id}/cancel} stops it (and its upstream call).
 * Streams belong to their tenant: another tenant's id is a 404.
 */
@Controller
final class ChatStreamsController {
    static final String LAST_EVENT_ID = "Last-Event-ID";
    private final ResumeStreamUseCase streams;

    ChatStreamsController(ResumeStreamUseCase streams) {
        this.streams = streams;
    }

    @Get(uri = "/v1/chat/completions/{streamId}/events", produces = {MediaType.TEXT_EVENT_STREAM, MediaType.APPLICATION_JSON})
    CompletableFuture<MutableHttpResponse<?>> events(HttpRequest<?> request, @PathVariable String streamId,
                                                     @QueryValue @Nullable String after, @QueryValue("include_usage") @Nullable String includeUsage) {
        String requestId = RequestIds.of(request);
        long lastEventId = lastEventId(request.getHeaders().get(LAST_EVENT_ID), after);
        Caller caller = ApiKeyFilter.callerOf(request);
        ClientConnection client = ClientConnection.of(request);
        SseBridge bridge = SseBridge.resuming(requestId, "true".equalsIgnoreCase(includeUsage), client, lastEventId);
        ResumeCommand command = new ResumeCommand(ApiKeyFilter.context(request), streamId, lastEventId);
        bridge.upstream(streams.resume(command, bridge));
        return bridge.response();
    }

    @Post(uri = "/v1/chat/completions/{streamId}/cancel", produces = MediaType.APPLICATION_JSON)
    CompletableFuture<MutableHttpResponse<?>> cancel(HttpRequest<?> request, @PathVariable String streamId) {
        return streams.stop(ApiKeyFilter.context(request), streamId).thenApply(stopped -> {
            if (!stopped) {
                throw new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, "No stream '" + streamId + "' is known to this tenant "
                        + "(it does not exist, has expired, or streams are not resumable on this gateway).", "stream_id", "stream_not_found", null));
            }
            String body = "{\"id\":" + ai.meridian.support.json.RawJson.quote(streamId) + ",\"object\":\"chat.completion.stream\",\"status\":\"cancelling\"}";
            return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE).header(RequestIds.HEADER, RequestIds.of(request));
        });
    }

    /** The last event the client had: {@code Last-Event-ID} (as EventSource sends it), else {@code after}, else none (0). */
    static long lastEventId(String header, String query) {
        String value = header != null && !header.isBlank() ? header.trim() : query;
        String param = header != null && !header.isBlank() ? LAST_EVENT_ID : "after";
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            long number = Long.parseLong(value.trim());
            if (number < 0) {
                throw new NumberFormatException();
            }
            return number;
        } catch (NumberFormatException e) {
            throw new GatewayException(GatewayError.invalid(param, param + " must be the number of the last event received (a whole number, 0 or more), not '"
                    + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "'."));
        }
    }
}
