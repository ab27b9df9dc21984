package ai.meridian.application.port.in;

import ai.meridian.application.port.out.Cancellable;
import java.util.concurrent.CompletableFuture;

/** A client wants a chat answer: whole, or streamed as it is produced. */
public interface CompleteChatUseCase {

    /** The whole answer; fails with {@code GatewayException} carrying the client-visible error. */
    CompletableFuture<ChatReply> complete(ChatCommand command);

    /**
     * Streams the answer to {@code observer}. Errors before {@link ChatStreamObserver#onStart} mean no
     * output was produced (answer with an HTTP error); errors after it interrupt the stream.
     */
    Cancellable stream(ChatCommand command, ChatStreamObserver observer);
}
