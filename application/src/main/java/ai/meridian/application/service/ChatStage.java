package ai.meridian.application.service;

import java.util.concurrent.CompletableFuture;

/**
 * Work around the model call, in configured order: before it (add history, retrieve and number sources,
 * refuse with a {@code GatewayException}), and after it (record the turn). The client is told success only
 * once every stage has recorded the outcome.
 */
public interface ChatStage {

    CompletableFuture<ChatContext> prepare(ChatContext context);

    /** Records what the model produced; also called with partial outcomes of cut or cancelled streams. */
    default CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
        return CompletableFuture.completedFuture(null);
    }
}
