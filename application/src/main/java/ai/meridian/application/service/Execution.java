package ai.meridian.application.service;

import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.CacheStatus;
import ai.meridian.application.port.in.ServedBy;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.CircuitBreakerPort.CircuitGate;
import ai.meridian.application.port.out.GatewayMetrics.RequestOutcome;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.TelemetryPort.Scope;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.fallback.FallbackRun;
import ai.meridian.domain.fallback.Step;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.RequestNeeds;
import ai.meridian.domain.routing.RoutingInput;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One request's run through its model's fallback plan. Subclasses decide how a backend is called
 * (whole or streamed) and how the answer is delivered. Every state change happens under this
 * object's lock: backend callbacks, timers and client cancellation arrive on different threads.
 */
abstract class Execution {
    private static final System.Logger LOG = System.getLogger(Execution.class.getName());

    final ChatService service;
    final ChatCommand command;
    final ModelDefinition model;
    final TraceSpan span;
    /** Set once the stages have prepared the request. */
    ChatContext context;
    FallbackRun run;
    final long startNanos;
    final String completionId = CompletionIds.next();
    final long created;

    /** Time spent waiting on backends and backoffs: what is not gateway overhead. */
    long waitedNanos;
    boolean finished;
    Step.Attempt currentAttempt;
    CircuitGate currentGate;
    TraceSpan attemptSpan;
    long attemptStartNanos;
    private int highestTier;
    private Failure lastFailure;

    Execution(ChatService service, ChatCommand command, ModelDefinition model) {
        this.service = service;
        this.command = command;
        this.model = model;
        this.startNanos = command.caller().receivedAtNanos() > 0 ? command.caller().receivedAtNanos() : System.nanoTime();
        this.created = service.clock.instant().getEpochSecond();
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("gen_ai.operation.name", command.request().textCompletion() ? "text_completion" : "chat");
        attributes.put("gen_ai.request.model", command.request().model());
        attributes.put("meridian.model", model.id());
        attributes.put("meridian.request_id", command.caller().requestId());
        attributes.put("meridian.tenant", command.caller().tenant());
        attributes.put("meridian.stream", command.request().stream());
        putIfSet(attributes, "gen_ai.request.temperature", command.request().params().temperature());
        putIfSet(attributes, "gen_ai.request.top_p", command.request().params().topP());
        putIfSet(attributes, "gen_ai.request.max_tokens", command.request().params().maxTokens());
        this.span = service.telemetry.startRequest("chat " + model.id(), command.caller().traceparent(), attributes);
    }

    /** The key routing (the canary split) knows the caller by: the client's end-user id within the tenant, else the key's. */
    static String callerKey(ChatCommand command) {
        String user = command.request().params().user();
        return user != null ? command.caller().tenant() + "/" + user : command.caller().tenant() + "/" + command.caller().callerKey();
    }

    private static void putIfSet(Map<String, Object> attributes, String key, Object value) {
        if (value != null) {
            attributes.put(key, value);
        }
    }

    /** Runs the stages' preparation, then the fallback plan on the prepared messages. */
    final void launch() {
        service.prepare(ChatContext.start(command, model, span)).whenComplete((prepared, error) -> {
            synchronized (this) {
                if (finished) {
                    return; // the client left while the request was being prepared
                }
                try (Scope ignored = span.activate()) {
                    if (error != null) {
                        deliverError(errorOf(error));
                        return;
                    }
                    context = prepared;
                    waitedNanos += prepared.waitedNanos();
                    if (prepared.cache().hit().isPresent()) {
                        answerFromCache(prepared.cache().hit().get()); // no routing, no backend
                        return;
                    }
                    RequestNeeds needs = RequestNeeds.of(command.request(), prepared.messages());
                    RoutingInput input = new RoutingInput(model.id(), prepared.messages(), callerKey(command),
                            new RequestRouteCheck(service.backends, needs, service.tokens, prepared.messages()));
                    run = new FallbackRun(model.plan(), input, service.randoms.get());
                    begin();
                }
            }
        });
    }

    /** The client-visible error for a failure outside the fallback plan (a stage, a bug). */
    static GatewayError errorOf(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof GatewayException gatewayException) {
            return gatewayException.error();
        }
        LOG.log(Level.ERROR, "unexpected failure while preparing or recording a chat request", cause);
        return GatewayError.of(ErrorKind.INTERNAL, "The server had an error while processing your request.");
    }

    /** Runs the stages' recording of the outcome; {@code then} runs under this lock once it is durable (or failed). */
    final void record(TurnOutcome outcome, java.util.function.Consumer<Throwable> then) {
        long start = System.nanoTime();
        service.record(context, outcome).whenComplete((ignored, error) -> {
            synchronized (this) {
                waitedNanos += System.nanoTime() - start;
                try (Scope scope = span.activate()) {
                    then.accept(error);
                }
            }
        });
    }

    /** The messages the current attempt sends: the prepared ones, unless a subclass continues an answer begun elsewhere. */
    java.util.List<ai.meridian.domain.chat.ChatMessage> callMessages(ModelBackend backend, Step.Attempt attempt) {
        return context.messages();
    }

    /** The generation controls the current attempt sends. */
    ai.meridian.domain.chat.GenerationParams callParams(Step.Attempt attempt) {
        return command.request().params();
    }

    /** Calls the backend for the current attempt; reports back through {@link #attemptFailed} or success paths. */
    abstract void invoke(ModelBackend backend, BackendCall call);

    /** Delivers the static answer of the plan's last tier. */
    abstract void answerStatically(Step.StaticAnswer step);

    /** Delivers an answer the response cache kept (the stages have put its citations on the context). */
    abstract void answerFromCache(CachedAnswer answer);

    /** Who serves a replayed answer: the cache, under the model name the answer was made by. */
    final ServedBy cachedServedBy(CachedAnswer answer) {
        String upstream = answer.completion().upstreamModel();
        return new ServedBy(ServedBy.CACHE_BACKEND, 0, upstream.isBlank() ? model.id() : upstream, context.cache().status());
    }

    /** What the response cache did for this request, for the answer's headers. */
    final CacheStatus cacheStatus() {
        return context == null ? CacheStatus.NONE : context.cache().status();
    }

    /** Delivers an error the client must see. */
    abstract void deliverError(GatewayError error);

    private void begin() {
        TraceSpan routing = span.child("meridian.route", Map.of("meridian.model", model.id()));
        Step step = run.start();
        if (step instanceof Step.Attempt attempt) {
            routing.set("meridian.backend", attempt.route().backend());
            routing.set("meridian.route.reason", attempt.reason());
            routing.set("gen_ai.request.model", attempt.route().upstreamModel());
        }
        routing.end();
        proceed(step);
    }

    final void proceed(Step step) {
        if (finished) {
            return;
        }
        if (step instanceof Step.Attempt attempt) {
            noteTier(attempt.tier(), attempt.route().backend());
            if (attempt.delay().isZero()) {
                attempt(attempt);
            } else {
                long delayNanos = attempt.delay().toNanos();
                waitedNanos += delayNanos;
                span.event("meridian.retry.backoff", Map.of("meridian.backend", attempt.route().backend(),
                        "meridian.attempt", attempt.attempt(), "meridian.backoff_ms", attempt.delay().toMillis()));
                service.scheduler.schedule(() -> {
                    synchronized (this) {
                        try (Scope ignored = span.activate()) {
                            attempt(attempt);
                        }
                    }
                }, delayNanos, TimeUnit.NANOSECONDS);
            }
        } else if (step instanceof Step.StaticAnswer staticAnswer) {
            noteTier(staticAnswer.tier(), ServedBy.STATIC_BACKEND);
            answerStatically(staticAnswer);
        } else {
            GatewayError error = ((Step.GiveUp) step).error();
            // The client's message names backends and status classes only; the upstream's own words go here.
            LOG.log(error.httpStatus() >= 500 ? Level.WARNING : Level.DEBUG, "request {0} for model {1} failed: {2} (last failure: {3})",
                    command.caller().requestId(), model.id(), error.message(), lastFailure == null ? "none" : lastFailure.message());
            deliverError(error);
        }
    }

    private void noteTier(int tier, String backend) {
        if (tier <= highestTier) {
            return;
        }
        highestTier = tier;
        java.util.List<Failure> failures = run.failures(); // includes tiers skipped as unable to serve the request
        Failure last = failures.isEmpty() ? lastFailure : failures.get(failures.size() - 1);
        String reason = last == null ? "unknown" : last.kind().name().toLowerCase();
        TraceSpan step = span.child("meridian.fallback", Map.of("meridian.fallback.tier", tier,
                "meridian.fallback.reason", reason, "meridian.backend", backend));
        step.end();
        service.metrics.fallback(model.id(), tier, reason);
        LOG.log(Level.INFO, "request {0} falls back to tier {1} ({2}) after {3}",
                command.caller().requestId(), tier, backend, reason);
    }

    private void attempt(Step.Attempt attempt) {
        if (finished) {
            return;
        }
        ModelBackend backend = service.backends.get(attempt.route().backend());
        CircuitGate gate = service.breakers.gate(backend.id(), attempt.route().upstreamModel());
        if (!gate.tryAcquire()) {
            service.metrics.attempt(backend.id(), "circuit_open", 0);
            span.event("meridian.circuit_open", Map.of("meridian.backend", backend.id(), "gen_ai.request.model", attempt.route().upstreamModel()));
            lastFailure = Failure.of(FailureKind.CIRCUIT_OPEN, "circuit open for model " + attempt.route().upstreamModel() + " on backend " + backend.id());
            proceed(run.onFailure(lastFailure));
            return;
        }
        currentAttempt = attempt;
        currentGate = gate;
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("meridian.backend", backend.id());
        attributes.put("meridian.tier", attempt.tier());
        attributes.put("meridian.attempt", attempt.attempt());
        attributes.put("gen_ai.request.model", attempt.route().upstreamModel());
        attemptSpan = span.child("meridian.backend " + backend.id(), attributes);
        attemptStartNanos = System.nanoTime();
        BackendCall call = new BackendCall(command.caller().requestId(), attempt.route().upstreamModel(),
                callMessages(backend, attempt), callParams(attempt), attemptSpan.traceparent(), context.sources(), command.request().tools(),
                command.caller().headers(), command.request().textCompletion());
        try {
            invoke(backend, call);
        } catch (RuntimeException e) {
            attemptFailed(classify(e));
        }
    }

    /** The current attempt failed in a way the plan handles (before any output reached the client). */
    final void attemptFailed(Failure failure) {
        long duration = endAttemptClock();
        if (failure.kind() == FailureKind.CLIENT_ERROR) {
            currentGate.onSuccess(duration);
        } else {
            currentGate.onFailure(duration, failure);
        }
        service.metrics.attempt(currentAttempt.route().backend(), failure.kind().name().toLowerCase(), duration);
        attemptSpan.set("error.type", failure.kind().name().toLowerCase());
        if (failure.upstreamStatus() > 0) {
            attemptSpan.set("http.response.status_code", failure.upstreamStatus());
        }
        attemptSpan.fail(failure.message());
        attemptSpan.end();
        LOG.log(Level.DEBUG, "request {0}: backend {1} attempt {2} failed: {3}",
                command.caller().requestId(), currentAttempt.route().backend(), currentAttempt.attempt(), failure);
        lastFailure = failure;
        proceed(run.onFailure(failure));
    }

    /** The current attempt produced its answer. */
    final long attemptSucceeded() {
        long duration = endAttemptClock();
        currentGate.onSuccess(duration);
        service.metrics.attempt(currentAttempt.route().backend(), "ok", duration);
        return duration;
    }

    final long endAttemptClock() {
        long duration = System.nanoTime() - attemptStartNanos;
        waitedNanos += duration;
        return duration;
    }

    final ServedBy servedBy(String upstreamModel) {
        String answering = upstreamModel == null || upstreamModel.isBlank() ? currentAttempt.route().upstreamModel() : upstreamModel;
        return new ServedBy(currentAttempt.route().backend(), currentAttempt.tier(), answering, cacheStatus());
    }

    final TokenUsage countedUsage(String completionText) {
        return new TokenUsage(service.tokens.countMessages(context == null ? command.request().messages() : context.messages()),
                service.tokens.count(completionText));
    }

    /** Closes the request's books: span, metrics. */
    final void finish(int status, ServedBy servedBy, TokenUsage usage, String failureMessage) {
        if (finished) {
            return;
        }
        finished = true;
        long total = System.nanoTime() - startNanos;
        String backend = servedBy == null ? "none" : servedBy.backend();
        int tier = servedBy == null ? highestTier : servedBy.tier();
        span.set("http.response.status_code", status);
        span.set("meridian.fallback.tier", tier);
        span.set("meridian.backend", backend);
        if (servedBy != null) {
            span.set("gen_ai.response.model", servedBy.upstreamModel());
            span.set("gen_ai.response.id", completionId);
        }
        if (usage != null) {
            span.set("gen_ai.usage.input_tokens", usage.promptTokens());
            span.set("gen_ai.usage.output_tokens", usage.completionTokens());
        }
        if (failureMessage != null) {
            span.fail(failureMessage);
        }
        span.end();
        service.metrics.request(new RequestOutcome(model.id(), backend, status, command.request().stream(), tier, total,
                Math.max(0, total - waitedNanos), usage == null ? 0 : usage.promptTokens(), usage == null ? 0 : usage.completionTokens()));
    }

    /** Turns whatever a backend threw into a classified failure. */
    static Failure classify(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof BackendFailureException backendFailure) {
            return backendFailure.failure();
        }
        if (cause instanceof CancellationException) {
            return Failure.of(FailureKind.CONNECT, "backend call was cancelled");
        }
        return Failure.of(FailureKind.PROTOCOL_ERROR, "backend failed: " + cause);
    }
}
