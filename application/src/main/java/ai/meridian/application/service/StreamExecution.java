package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.routing.ModelDefinition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A streamed request. Until the first token reaches the client, a failing backend is replaced by the
 * next step of the plan without the client noticing; after that a failure ends the stream with an error.
 * Deltas pass through as they arrive, every choice kept apart by its index; finish reasons are held back and
 * sent at the end, after the stages have recorded the turn. A stream cut by the backend or the client is
 * recorded with what it produced.
 */
final class StreamExecution extends Execution implements Cancellable {
    private static final System.Logger LOG = System.getLogger(StreamExecution.class.getName());
    private final ChatStreamObserver observer;
    private final AnswerAssembler answer = new AnswerAssembler();
    private boolean started;
    private boolean recording;
    private Cancellable inFlight;
    private Listener activeListener;

    StreamExecution(ChatService service, ChatCommand command, ModelDefinition model, ChatStreamObserver observer) {
        super(service, command, model);
        this.observer = observer;
    }

    @Override
    public synchronized void cancel() {
        if (finished || recording) {
            return;
        }
        activeListener = null;
        if (inFlight != null) {
            inFlight.cancel();
            inFlight = null;
            endAttemptClock();
            currentGate.release();
            attemptSpan.event("meridian.client_cancelled", Map.of());
            attemptSpan.end();
        }
        span.event("meridian.client_cancelled", Map.of("meridian.streamed_chars", answer.text().length()));
        if (started) {
            ServedBy servedBy = servedBy(null);
            TokenUsage usage = countedUsage(answer.text());
            recording = true;
            // The client is gone; what it saw is still recorded, marked as cancelled.
            record(outcome(FinishReason.CANCELLED, usage, servedBy), error -> { });
            finish(499, servedBy, usage, null);
        } else {
            finish(499, null, null, null);
        }
    }

    @Override
    void invoke(ModelBackend backend, BackendCall call) {
        Listener listener = new Listener();
        activeListener = listener;
        Cancellable handle = backend.stream(call, listener);
        if (activeListener == listener && !finished) {
            inFlight = handle;
        } else {
            handle.cancel();
        }
    }

    private void startIfNeeded(ServedBy servedBy) {
        if (!started) {
            started = true;
            long ttft = System.nanoTime() - attemptStartNanos;
            service.metrics.timeToFirstToken(model.id(), servedBy.backend(), ttft);
            attemptSpan.event("gen_ai.first_token", Map.of("meridian.ttft_ms", ttft / 1_000_000.0));
            observer.onStart(new StreamStart(completionId, created, model.id(), servedBy,
                    context.citations(), context.conversationId(), context.notices(), context.rateLimit()));
        }
    }

    @Override
    void answerStatically(Step.StaticAnswer step) {
        ServedBy servedBy = new ServedBy(ServedBy.STATIC_BACKEND, step.tier(), ServedBy.STATIC_BACKEND);
        started = true;
        observer.onStart(new StreamStart(completionId, created, model.id(), servedBy,
                context.citations(), context.conversationId(), context.notices(), context.rateLimit()));
        Delta delta = Delta.of(step.text());
        answer.add(delta);
        observer.onDelta(delta);
        answer.finishAll(FinishReason.STOP, 1);
        finishRecorded(countedUsage(step.text()), servedBy);
    }

    private TurnOutcome outcome(FinishReason reason, TokenUsage usage, ServedBy servedBy) {
        return new TurnOutcome(answer.text(), answer.reasoning(), answer.toolCalls(), reason, usage, servedBy);
    }

    /** Each choice's finish reason, in index order (every choice has one once {@code finishAll} ran). */
    private List<FinishReason> finishReasons() {
        int count = Math.max(command.request().choiceCount(), answer.choiceCount());
        List<FinishReason> reasons = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            reasons.add(answer.finishReason(i).orElse(FinishReason.STOP));
        }
        return reasons;
    }

    /** Records the whole answer, then ends the stream (or reports that it could not be stored). */
    private void finishRecorded(TokenUsage usage, ServedBy servedBy) {
        recording = true;
        List<FinishReason> reasons = finishReasons();
        record(outcome(reasons.get(0), usage, servedBy), error -> {
            if (error != null) {
                GatewayError failure = new GatewayError(ErrorKind.UNAVAILABLE,
                        "The answer could not be stored; please retry. (" + errorOf(error).message() + ")", null, null, Duration.ofSeconds(1));
                finish(failure.httpStatus(), servedBy, usage, failure.message());
                observer.onError(failure);
                return;
            }
            finish(200, servedBy, usage, null);
            observer.onFinish(new StreamEnd(reasons, usage));
        });
    }

    @Override
    void deliverError(GatewayError error) {
        finish(error.httpStatus(), null, null, error.message());
        observer.onError(error);
    }

    /** Hears one attempt; once the attempt is superseded or the request is over, it goes deaf. */
    private final class Listener implements BackendStreamListener {
        private String upstreamModel;

        private boolean live() {
            return activeListener == this && !finished && !recording;
        }

        @Override
        public void onDelta(Delta delta) {
            synchronized (StreamExecution.this) {
                if (!live() || delta.isEmpty()) {
                    return;
                }
                try (Scope ignored = span.activate()) {
                    startIfNeeded(servedBy(upstreamModel));
                    answer.add(delta);
                    Delta forwarded = delta.finishReason() == null ? delta : delta.withFinishReason(null);
                    if (!forwarded.isEmpty()) {
                        observer.onDelta(forwarded);
                    }
                }
            }
        }

        @Override
        public void onComplete(FinishReason reason, Optional<TokenUsage> reported, String model) {
            synchronized (StreamExecution.this) {
                if (!live()) {
                    return;
                }
                upstreamModel = model;
                try (Scope ignored = span.activate()) {
                    inFlight = null;
                    attemptSucceeded();
                    ServedBy servedBy = servedBy(model);
                    startIfNeeded(servedBy);
                    answer.finishAll(reason, command.request().choiceCount());
                    attemptSpan.set("gen_ai.response.model", servedBy.upstreamModel());
                    attemptSpan.set("gen_ai.response.finish_reasons", reason.wireName());
                    attemptSpan.end();
                    finishRecorded(reported.orElseGet(() -> countedUsage(answer.text())), servedBy);
                }
            }
        }

        @Override
        public void onError(Failure failure) {
            synchronized (StreamExecution.this) {
                if (!live()) {
                    return;
                }
                inFlight = null;
                try (Scope ignored = span.activate()) {
                    if (!started) {
                        attemptFailed(failure);
                        return;
                    }
                    long duration = endAttemptClock();
                    currentGate.onFailure(duration, failure);
                    service.metrics.attempt(currentAttempt.route().backend(), failure.kind().name().toLowerCase(), duration);
                    attemptSpan.fail(failure.message());
                    attemptSpan.end();
                    GatewayError error = GatewayError.of(ErrorKind.BAD_GATEWAY, "Backend '" + currentAttempt.route().backend()
                            + "' of model '" + model.id() + "' " + failure.summary() + " in the middle of the answer.");
                    LOG.log(System.Logger.Level.WARNING, "request {0}: backend {1} failed mid-stream: {2}", command.caller().requestId(),
                            currentAttempt.route().backend(), failure.message());
                    ServedBy servedBy = servedBy(upstreamModel);
                    TokenUsage usage = countedUsage(answer.text());
                    recording = true;
                    record(outcome(FinishReason.ERROR, usage, servedBy), ignored2 -> {
                        finish(502, servedBy, usage, error.message());
                        observer.onError(error);
                    });
                }
            }
        }
    }
}
