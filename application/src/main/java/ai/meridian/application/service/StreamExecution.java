package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.routing.ModelDefinition;
import java.util.Map;
import java.util.Optional;

/**
 * A streamed request. Until the first token reaches the client, a failing backend is replaced by the
 * next step of the plan without the client noticing; after that a failure ends the stream with an error.
 */
final class StreamExecution extends Execution implements Cancellable {
    private final ChatStreamObserver observer;
    private final StringBuilder text = new StringBuilder();
    private boolean started;
    private Cancellable inFlight;
    private Listener activeListener;

    StreamExecution(ChatService service, ChatCommand command, ModelDefinition model, ChatStreamObserver observer) {
        super(service, command, model);
        this.observer = observer;
    }

    void start() {
        begin();
    }

    @Override
    public synchronized void cancel() {
        if (finished) {
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
        span.event("meridian.client_cancelled", Map.of("meridian.streamed_chars", text.length()));
        finish(499, started ? servedBy(null) : null, started ? countedUsage(text.toString()) : null, null);
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
            observer.onStart(new StreamStart(completionId, created, model.id(), servedBy));
        }
    }

    @Override
    void answerStatically(Step.StaticAnswer step) {
        ServedBy servedBy = new ServedBy(ServedBy.STATIC_BACKEND, step.tier(), ServedBy.STATIC_BACKEND);
        started = true;
        observer.onStart(new StreamStart(completionId, created, model.id(), servedBy));
        observer.onDelta(Delta.of(step.text()));
        TokenUsage usage = countedUsage(step.text());
        finish(200, servedBy, usage, null);
        observer.onFinish(FinishReason.STOP, usage);
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
            return activeListener == this && !finished;
        }

        @Override
        public void onDelta(Delta delta) {
            synchronized (StreamExecution.this) {
                if (!live() || delta.isEmpty()) {
                    return;
                }
                try (Scope ignored = span.activate()) {
                    startIfNeeded(servedBy(upstreamModel));
                    text.append(delta.content());
                    observer.onDelta(delta);
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
                    attemptSpan.set("gen_ai.response.model", servedBy.upstreamModel());
                    attemptSpan.set("gen_ai.response.finish_reasons", reason.wireName());
                    attemptSpan.end();
                    TokenUsage usage = reported.orElseGet(() -> countedUsage(text.toString()));
                    finish(200, servedBy, usage, null);
                    observer.onFinish(reason, usage);
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
                    GatewayError error = GatewayError.of(ErrorKind.BAD_GATEWAY,
                            "The model backend failed in the middle of the answer: " + failure.message());
                    finish(502, servedBy(upstreamModel), countedUsage(text.toString()), error.message());
                    observer.onError(error);
                }
            }
        }
    }
}
