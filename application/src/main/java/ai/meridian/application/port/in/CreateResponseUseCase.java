package ai.meridian.application.port.in;

import ai.meridian.application.port.out.Cancellable;
import java.util.concurrent.CompletableFuture;

/**
 * A client wants a response (OpenAI's Responses API): an answer that may continue a response kept earlier
 * ({@code previous_response_id}) and is kept itself ({@code store}) so that the next one can continue it. Routing,
 * fallback, grounding, limits and usage are the chat core's; this adds the chain.
 */
public interface CreateResponseUseCase {

    /** The whole response, released only once it is stored; fails with {@code GatewayException} carrying the client-visible error. */
    CompletableFuture<ResponseReply> create(ResponseCommand command);

    /** Streams the response to {@code observer}; cancelling aborts it (and nothing is stored). */
    Cancellable stream(ResponseCommand command, ResponseStreamObserver observer);
}
