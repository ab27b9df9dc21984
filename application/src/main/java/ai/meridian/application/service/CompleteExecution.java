package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.routing.ModelDefinition;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A request answered whole. The reply is released only after the stages have recorded the turn.
 * Cancelling the returned future cancels the backend call in flight.
 */
final class CompleteExecution extends Execution {
    private final CompletableFuture<ChatReply> result = new CompletableFuture<>();
    private CompletableFuture<Completion> inFlight;
    private boolean recording;

    CompleteExecution(ChatService service, ChatCommand command, ModelDefinition model) {
        super(service, command, model);
    }

    CompletableFuture<ChatReply> start() {
        result.whenComplete((reply, error) -> {
            if (result.isCancelled()) {
                onClientGone();
            }
        });
        return result;
    }

    private synchronized void onClientGone() {
        if (finished || recording) {
            return;
        }
        CompletableFuture<Completion> call = inFlight;
        inFlight = null; // first, so the cancellation's own callback is ignored
        if (call != null) {
            call.cancel(false);
            endAttemptClock();
            currentGate.release();
            attemptSpan.end();
        }
        finish(499, null, null, "client cancelled");
    }

    @Override
    void invoke(ModelBackend backend, BackendCall call) {
        CompletableFuture<Completion> call0 = backend.complete(call);
        inFlight = call0;
        call0.whenComplete((completion, error) -> {
            synchronized (this) {
                if (finished || inFlight != call0) {
                    return;
                }
                inFlight = null;
                try (Scope ignored = span.activate()) {
                    if (error != null) {
                        attemptFailed(classify(error));
                    } else {
                        attemptSucceeded();
                        attemptSpan.set("gen_ai.response.model", completion.upstreamModel());
                        attemptSpan.end();
                        TokenUsage usage = completion.usage().orElseGet(() -> countedUsage(completion.content()));
                        reply(completion, usage, servedBy(completion.upstreamModel()));
                    }
                }
            }
        });
    }

    @Override
    void answerStatically(Step.StaticAnswer step) {
        Completion completion = new Completion(step.text(), "", FinishReason.STOP, Optional.empty(), ServedBy.STATIC_BACKEND);
        reply(completion, countedUsage(step.text()), new ServedBy(ServedBy.STATIC_BACKEND, step.tier(), ServedBy.STATIC_BACKEND,
                cacheStatus()));
    }

    @Override
    void answerFromCache(CachedAnswer answer) {
        reply(answer.completion(), answer.usage(), cachedServedBy(answer));
    }

    private void reply(Completion completion, TokenUsage usage, ServedBy servedBy) {
        recording = true;
        Choice first = completion.first();
        TurnOutcome outcome = new TurnOutcome(first.text(), first.reasoningContent(), callsOf(first), first.finishReason(), usage, servedBy,
                Optional.of(completion));
        record(outcome, error -> {
            if (error != null) {
                GatewayError failure = new GatewayError(ErrorKind.UNAVAILABLE,
                        "The answer could not be stored, so it was not delivered; please retry. (" + errorOf(error).message() + ")",
                        null, null, java.time.Duration.ofSeconds(1));
                finish(failure.httpStatus(), servedBy, usage, failure.message());
                result.completeExceptionally(new GatewayException(failure));
                return;
            }
            finish(200, servedBy, usage, null);
            result.complete(new ChatReply(completionId, created, model.id(), completion, usage, servedBy,
                    context.citations(), context.conversationId(), context.notices(), context.rateLimit()));
        });
    }

    /** The tool calls of a choice, the legacy function call counted as one. */
    private static java.util.List<ToolCall> callsOf(Choice choice) {
        if (choice.functionCall() == null) {
            return choice.toolCalls();
        }
        java.util.List<ToolCall> calls = new java.util.ArrayList<>(choice.toolCalls());
        calls.add(choice.functionCall());
        return calls;
    }

    @Override
    void deliverError(GatewayError error) {
        finish(error.httpStatus(), null, null, error.message());
        result.completeExceptionally(new GatewayException(error));
    }
}
