package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.MidStreamSwitch;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.fallback.ContinuationStyle;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.HeldToolCalls;
import ai.meridian.domain.fallback.MidStreamContinuation;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.routing.ModelDefinition;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A streamed request. Until the first token reaches the client, a failing backend is replaced by the next step of the
 * plan without the client noticing. After that, with mid-stream fallback on for the model, the next step continues the
 * answer from what the client already has (domain {@link MidStreamContinuation}: a prefix or prompt continuation, tool
 * calls held back until whole so none is spliced mid-argument), and the client sees one answer with a marker of the
 * switch at its end; otherwise, or when it cannot be continued, the stream ends with an error event.
 *
 * <p>Deltas pass through as they arrive, every choice kept apart by its index; finish reasons are held back and sent at
 * the end, after the stages have recorded the turn. Events go through the stream's {@link StreamJournal}: numbered and,
 * when streams are resumable, kept in the stream buffer, so that a client whose connection dropped can resume. Such a
 * client leaving detaches it and the answer goes on for the resume window (a reconnect does not pay twice); when nobody
 * follows it by then, or a client asks to stop it, the upstream call is cancelled. A stream cut by the backend or the
 * client is recorded with what it produced.
 */
final class StreamExecution extends Execution implements Cancellable {
    private static final System.Logger LOG = System.getLogger(StreamExecution.class.getName());

    private final StreamJournal journal;
    private final StreamSettings streams;
    /** What the client has been sent (choices apart), and, at the end, the whole answer. */
    private final AnswerAssembler answer = new AnswerAssembler();
    /** Tool-call pieces held until their calls are whole; null when the answer could never be continued elsewhere. */
    private final HeldToolCalls held;
    private boolean started;
    private boolean recording;
    private Cancellable inFlight;
    private Listener activeListener;
    /** Backend switches after the first token, for the stream's last event. */
    private final List<MidStreamSwitch> switches = new ArrayList<>();
    /** A backend failed mid-stream and the next attempt is to continue the answer; committed when it delivers. */
    private PendingSwitch pendingSwitch;
    /** The continuation under way: how it was asked for, and its overlap with the partial answer. */
    private Continuing continuing;
    /** Usage of the attempts before the current one, when the answer is spliced from several. */
    private TokenUsage earlierUsage;
    /** Where the current attempt's text begins in the answer (for counting its usage). */
    private int attemptTextStart;
    private long lastReaderNanos;

    StreamExecution(ChatService service, ChatCommand command, ModelDefinition model, ChatStreamObserver observer) {
        super(service, command, model);
        this.streams = service.streams;
        this.journal = new StreamJournal(observer, service.streamBuffer, streams, command.caller().tenant());
        boolean continuable = model.plan().continueMidStream() && command.request().choiceCount() <= 1;
        // Without tools offered the model makes no tool calls: nothing to hold.
        this.held = continuable && command.request().tools().offered() ? new HeldToolCalls() : null;
    }

    /**
     * The client has gone. A stream it can resume goes on without it for the resume window; any other is stopped now:
     * its upstream call is cancelled.
     */
    @Override
    public synchronized void cancel() {
        if (finished || recording) {
            return;
        }
        if (started && journal.resumable()) {
            if (journal.attached()) {
                journal.detach();
                lastReaderNanos = System.nanoTime();
                span.event("meridian.client_detached", Map.of("meridian.streamed_chars", answer.text().length(),
                        "meridian.resume_window_ms", streams.resumeWindow().toMillis()));
                service.metrics.streamDetached(model.id(), "detached");
                watchWhileAway();
            }
            return;
        }
        stop("client cancelled", false);
    }

    /** While no client is attached: checks now and then whether one follows the stream; stops it when none did for the window. */
    private void watchWhileAway() {
        service.scheduler.schedule(() -> journal.readersPresent().whenComplete((present, error) -> {
            synchronized (this) {
                if (finished || recording) {
                    return;
                }
                long now = System.nanoTime();
                if (Boolean.TRUE.equals(present)) {
                    lastReaderNanos = now;
                }
                if (now - lastReaderNanos >= streams.resumeWindow().toNanos()) {
                    try (Scope ignored = span.activate()) {
                        service.metrics.streamDetached(model.id(), "expired");
                        stop("nobody resumed the stream within " + streams.resumeWindow().toMillis() + " ms", true);
                    }
                } else {
                    watchWhileAway();
                }
            }
        }), streams.awayCheck().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the answer now: the upstream call is cancelled, what was produced is recorded as cancelled, and the stream
     * ends with finish reason {@code cancelled} (told to the client only when {@code tellClient} and it is attached).
     */
    private synchronized void stop(String why, boolean tellClient) {
        if (finished || recording) {
            return;
        }
        if (!tellClient) {
            journal.detach();
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
        span.event("meridian.client_cancelled", Map.of("meridian.streamed_chars", answer.text().length(), "meridian.reason", why));
        if (started) {
            ServedBy servedBy = servedBy(null);
            TokenUsage usage = spliced(countedAttemptUsage());
            recording = true;
            // The client is gone or asked to stop; what was produced is still recorded, marked as cancelled.
            record(outcome(FinishReason.CANCELLED, usage, servedBy), error -> { });
            finish(499, servedBy, usage, null);
            journal.end(new StreamEnd(cancelledReasons(), usage, switches));
        } else {
            finish(499, null, null, null);
        }
    }

    private List<FinishReason> cancelledReasons() {
        int count = Math.max(1, Math.max(command.request().choiceCount(), answer.choiceCount()));
        List<FinishReason> reasons = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            reasons.add(answer.finishReason(i).orElse(FinishReason.CANCELLED));
        }
        return reasons;
    }

    @Override
    List<ChatMessage> callMessages(ModelBackend backend, Step.Attempt attempt) {
        if (pendingSwitch == null) {
            continuing = null;
            return context.messages();
        }
        String delivered = answer.text();
        if (command.request().textCompletion()) {
            // A raw prompt is continued by appending what the client had to it: a prefix, whatever the backend prefers for chat.
            continuing = new Continuing(ContinuationStyle.ASSISTANT_PREFIX, delivered);
            pendingSwitch = pendingSwitch.to(backend.id(), attempt.tier(), ContinuationStyle.ASSISTANT_PREFIX);
            return MidStreamContinuation.textMessages(context.messages(), delivered);
        }
        ContinuationStyle style = backend.continuation(attempt.route().upstreamModel());
        continuing = new Continuing(style, delivered);
        pendingSwitch = pendingSwitch.to(backend.id(), attempt.tier(), style);
        return MidStreamContinuation.messages(context.messages(), delivered, style);
    }

    @Override
    GenerationParams callParams(Step.Attempt attempt) {
        GenerationParams params = command.request().params();
        if (pendingSwitch == null || params.maxTokens() == null) {
            return params;
        }
        // The continuation writes only what is left of the client's max_tokens.
        int used = service.tokens.count(answer.text()) + service.tokens.count(answer.reasoning());
        return params.withMaxTokens(Math.max(1, params.maxTokens() - used));
    }

    @Override
    void invoke(ModelBackend backend, BackendCall call) {
        Listener listener = new Listener();
        activeListener = listener;
        attemptTextStart = answer.text().length();
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
            journal.start(new StreamStart(completionId, created, model.id(), servedBy,
                    context.citations(), context.conversationId(), context.notices(), context.rateLimit()),
                    () -> stop("a client asked to stop the stream", true));
        }
    }

    /** Sends one piece to the client (and the stream's buffer). */
    private void deliver(Delta delta, String upstreamModel) {
        startIfNeeded(servedBy(upstreamModel));
        commitSwitch();
        answer.add(delta);
        Delta forwarded = delta.finishReason() == null ? delta : delta.withFinishReason(null);
        if (!forwarded.isEmpty()) {
            journal.delta(forwarded);
        }
    }

    /** Passes a piece on, holding tool-call pieces back while a backend switch could still have to restart them. */
    private void forward(Delta delta, String upstreamModel) {
        if (held == null) {
            deliver(delta, upstreamModel);
            return;
        }
        for (Delta out : held.accept(delta)) {
            deliver(out, upstreamModel);
        }
    }

    /** The continuation produced output: the switch happened, and is told (metric, span event, log, final marker). */
    private void commitSwitch() {
        PendingSwitch p = pendingSwitch;
        if (p == null || p.toBackend == null) {
            return;
        }
        pendingSwitch = null;
        MidStreamSwitch done = new MidStreamSwitch(p.fromBackend, p.toBackend, p.tier, p.afterChars, p.reason, p.style.wireName(), p.droppedPieces);
        switches.add(done);
        service.metrics.midStreamFallback(model.id(), p.fromBackend, p.toBackend, p.style.wireName(), p.reason);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("meridian.fallback.from", p.fromBackend);
        attributes.put("meridian.fallback.to", p.toBackend);
        attributes.put("meridian.fallback.tier", p.tier);
        attributes.put("meridian.fallback.reason", p.reason);
        attributes.put("meridian.fallback.style", p.style.wireName());
        attributes.put("meridian.fallback.after_chars", p.afterChars);
        attributes.put("meridian.fallback.dropped_tool_call_pieces", p.droppedPieces);
        span.event("meridian.fallback.mid_stream", attributes);
        LOG.log(Level.INFO, "request {0}: {1} failed mid-stream ({2}) after {3} characters; {4} continues the answer ({5})",
                command.caller().requestId(), p.fromBackend, p.reason, p.afterChars, p.toBackend, p.style.wireName());
    }

    @Override
    void answerStatically(Step.StaticAnswer step) {
        if (started) {
            // A static text cannot continue an answer the client has begun to read.
            failStarted(GatewayError.of(ErrorKind.BAD_GATEWAY,
                    "The model backend failed in the middle of the answer and no backend was left to continue it."));
            return;
        }
        ServedBy servedBy = new ServedBy(ServedBy.STATIC_BACKEND, step.tier(), ServedBy.STATIC_BACKEND);
        started = true;
        journal.start(new StreamStart(completionId, created, model.id(), servedBy,
                context.citations(), context.conversationId(), context.notices(), context.rateLimit()),
                () -> stop("a client asked to stop the stream", true));
        Delta delta = Delta.of(step.text());
        answer.add(delta);
        journal.delta(delta);
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

    /** Usage of the current attempt, counted: its prompt and the text it added to the answer. */
    private TokenUsage countedAttemptUsage() {
        String text = answer.text();
        return countedUsage(attemptTextStart <= text.length() ? text.substring(attemptTextStart) : "");
    }

    /** The usage of the whole answer: the earlier attempts' (when spliced) and this one's. */
    private TokenUsage spliced(TokenUsage current) {
        return earlierUsage == null ? current : earlierUsage.plus(current);
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
                journal.error(failure, started);
                return;
            }
            finish(200, servedBy, usage, null);
            if (!journal.attached()) {
                service.metrics.streamDetached(model.id(), "finished");
            }
            journal.end(new StreamEnd(reasons, usage, switches));
        });
    }

    @Override
    void deliverError(GatewayError error) {
        if (started) {
            failStarted(error);
            return;
        }
        finish(error.httpStatus(), null, null, error.message());
        journal.error(error, false);
    }

    /** Ends a stream the client has begun to read with an error event, after recording what it produced. */
    private void failStarted(GatewayError error) {
        ServedBy servedBy = servedBy(null);
        TokenUsage usage = spliced(countedAttemptUsage());
        recording = true;
        record(outcome(FinishReason.ERROR, usage, servedBy), ignored -> {
            finish(error.httpStatus(), servedBy, usage, error.message());
            journal.error(error, true);
        });
    }

    /** What the client has received, for the domain's rules on continuing it. */
    private MidStreamContinuation.Delivered delivered() {
        boolean calls = false;
        boolean refusal = false;
        for (Choice choice : answer.choices(FinishReason.STOP)) {
            calls |= !choice.toolCalls().isEmpty() || choice.functionCall() != null;
            refusal |= choice.refusal() != null;
        }
        int choices = Math.max(command.request().choiceCount(), Math.max(1, answer.choiceCount()));
        return new MidStreamContinuation.Delivered(choices, answer.text(), calls, refusal);
    }

    /** A backend failed after the client began to receive the answer: continue it elsewhere, or end with an error event. */
    private void failedMidStream(Failure failure, int droppedPieces) {
        long duration = endAttemptClock();
        currentGate.onFailure(duration, failure);
        service.metrics.attempt(currentAttempt.route().backend(), failure.kind().name().toLowerCase(), duration);
        attemptSpan.set("error.type", failure.kind().name().toLowerCase());
        attemptSpan.fail(failure.message());
        attemptSpan.end();
        String from = pendingSwitch != null ? pendingSwitch.fromBackend : currentAttempt.route().backend();
        Optional<String> whyNot = model.plan().continueMidStream()
                ? MidStreamContinuation.whyNot(delivered()) : Optional.of("mid-stream fallback is off for this model");
        if (whyNot.isEmpty()) {
            earlierUsage = spliced(countedAttemptUsage());
            if (pendingSwitch == null) {
                pendingSwitch = new PendingSwitch(from, failure.kind().name().toLowerCase(), answer.text().length(), droppedPieces);
            } else {
                pendingSwitch.droppedPieces += droppedPieces; // the continuation failed before writing anything: the next one takes over
            }
            Step next = run.onFailure(failure);
            if (next instanceof Step.Attempt) {
                proceed(next);
                return;
            }
            pendingSwitch = null;
            whyNot = Optional.of(next instanceof Step.StaticAnswer ? "only a static answer was left" : "no backend was left to continue it");
        }
        // The client's message names the backend and the failure's class; the upstream's own words go to the log.
        LOG.log(System.Logger.Level.WARNING, "request {0}: backend {1} failed mid-stream: {2}", command.caller().requestId(), from,
                failure.message());
        failStarted(GatewayError.of(ErrorKind.BAD_GATEWAY, "Backend '" + from + "' of model '" + model.id() + "' " + failure.summary()
                + " in the middle of the answer (not continued: " + whyNot.get() + ")."));
    }

    /** A switch waiting for its continuation to deliver: who failed, why, how far the client was. */
    private static final class PendingSwitch {
        final String fromBackend;
        final String reason;
        final int afterChars;
        int droppedPieces;
        String toBackend;
        int tier;
        ContinuationStyle style = ContinuationStyle.PROMPT;

        PendingSwitch(String fromBackend, String reason, int afterChars, int droppedPieces) {
            this.fromBackend = fromBackend;
            this.reason = reason;
            this.afterChars = afterChars;
            this.droppedPieces = droppedPieces;
        }

        PendingSwitch to(String backend, int tierNumber, ContinuationStyle how) {
            toBackend = backend;
            tier = tierNumber;
            style = how;
            return this;
        }
    }

    /**
     * A continuation under way. Asked for by prompt, a model sometimes restates the last words it was shown: its first
     * characters are held until the domain can tell how many repeat the end of the partial answer, and those are cut.
     */
    private static final class Continuing {
        private final ContinuationStyle style;
        private final String delivered;
        private final StringBuilder pending = new StringBuilder();
        private Delta template;
        private boolean decided;

        Continuing(ContinuationStyle style, String delivered) {
            this.style = style;
            this.delivered = delivered;
            this.decided = style == ContinuationStyle.ASSISTANT_PREFIX || delivered.isEmpty();
        }

        /** The piece to pass on now, or null while the beginning is held. */
        Delta accept(Delta delta) {
            if (decided || (delta.content().isEmpty() && delta.toolCalls().isEmpty() && delta.finishReason() == null)) {
                return delta;
            }
            pending.append(delta.content());
            template = delta;
            if (delta.toolCalls().isEmpty() && delta.finishReason() == null
                    && !MidStreamContinuation.overlapDecidable(delivered, pending.toString())) {
                return null;
            }
            return decide();
        }

        /** The held beginning, decided on what arrived (the continuation ended early). */
        Delta flush() {
            return decided || template == null ? null : decide();
        }

        private Delta decide() {
            decided = true;
            int overlap = MidStreamContinuation.overlap(delivered, pending.toString());
            Delta rest = template.withContent(pending.substring(overlap));
            pending.setLength(0);
            template = null;
            return rest.isEmpty() ? null : rest;
        }
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
                    Delta piece = continuing == null ? delta : continuing.accept(delta);
                    if (piece != null) {
                        forward(piece, upstreamModel);
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
                    Delta rest = continuing == null ? null : continuing.flush();
                    if (rest != null) {
                        forward(rest, model);
                    }
                    if (held != null) {
                        for (Delta out : held.release()) {
                            deliver(out, model);
                        }
                    }
                    startIfNeeded(servedBy);
                    commitSwitch();
                    answer.finishAll(reason, command.request().choiceCount());
                    attemptSpan.set("gen_ai.response.model", servedBy.upstreamModel());
                    attemptSpan.set("gen_ai.response.finish_reasons", reason.wireName());
                    attemptSpan.end();
                    finishRecorded(spliced(reported.orElseGet(StreamExecution.this::countedAttemptUsage)), servedBy);
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
                    // Held tool-call pieces and a held continuation start were never sent: they are dropped.
                    int dropped = held == null ? 0 : held.drop();
                    continuing = null;
                    if (!started) {
                        attemptFailed(failure);
                        return;
                    }
                    failedMidStream(failure, dropped);
                }
            }
        }
    }
}
