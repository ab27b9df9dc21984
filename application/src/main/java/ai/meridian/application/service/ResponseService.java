package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ChatCommand;
import ai.meridian.application.port.in.ChatReply;
import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.CompleteChatUseCase;
import ai.meridian.application.port.in.CreateResponseUseCase;
import ai.meridian.application.port.in.ManageResponsesUseCase;
import ai.meridian.application.port.in.ResponseCommand;
import ai.meridian.application.port.in.ResponseReply;
import ai.meridian.application.port.in.ResponseStart;
import ai.meridian.application.port.in.ResponseStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.ResponseStore;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ChatRequest;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.RawFields;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.conversation.ContextBudget;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.response.ChainTruncation;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.domain.tenancy.Action;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Responses (OpenAI's Responses API) on top of the chat core: a request that continues a stored response gets the
 * chain's conversation (each response's input and answer, oldest first, within the caller's tenant) before its own
 * input, trimmed from the beginning when it asks for {@code truncation: auto}; the answer comes from the chat use case
 * (routing, fallback, grounding, limits, usage all apply); with {@code store} the response is kept before the client
 * is told it exists as finished, so the next request can continue it at once, from any replica.
 */
public final class ResponseService implements CreateResponseUseCase, ManageResponsesUseCase {
    private static final System.Logger LOG = System.getLogger(ResponseService.class.getName());

    private final CompleteChatUseCase chat;
    private final ResponseStore store;
    private final ChainTruncation truncation;
    private final ResponseSettings settings;
    private final TelemetryPort telemetry;
    private final Clock clock;
    private final Supplier<RandomGenerator> ids;
    private final StoreCalls calls;

    public ResponseService(CompleteChatUseCase chat, ResponseStore store, TokenCounter tokens, ResponseSettings settings, TelemetryPort telemetry,
                           Clock clock, Supplier<RandomGenerator> ids) {
        this.chat = Objects.requireNonNull(chat, "chat");
        this.store = Objects.requireNonNull(store, "store");
        this.truncation = new ChainTruncation(Objects.requireNonNull(tokens, "tokens")::countMessage);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.calls = new StoreCalls(settings.slowQueryThreshold(), settings.retryAfter());
    }

    @Override
    public CompletableFuture<ResponseReply> create(ResponseCommand command) {
        Run run = new Run(command);
        CompletableFuture<ResponseReply> result = new CompletableFuture<>();
        AtomicReference<CompletableFuture<ChatReply>> inFlight = new AtomicReference<>();
        result.whenComplete((r, e) -> {
            CompletableFuture<ChatReply> call = inFlight.get();
            if (result.isCancelled() && call != null) {
                call.cancel(false); // the client left: the chat call (and its backend call) stops
            }
        });
        run.conversation().thenCompose(chatCommand -> {
            CompletableFuture<ChatReply> reply = chat.complete(chatCommand);
            inFlight.set(reply);
            if (result.isCancelled()) {
                reply.cancel(false);
            }
            return reply;
        }).thenCompose(reply -> {
            Choice first = reply.completion().first();
            StoredResponse response = run.response(ResponseStatus.of(first.finishReason()), Optional.of(answer(first)),
                    Optional.of(first.finishReason()), reply.usage(), reply.citations(), reply.notices(), Optional.empty());
            return run.keep(response).thenApply(stored -> new ResponseReply(response, reply, stored));
        }).whenComplete((reply, error) -> {
            run.end(error);
            if (error != null) {
                result.completeExceptionally(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                result.complete(reply);
            }
        });
        return result;
    }

    @Override
    public Cancellable stream(ResponseCommand command, ResponseStreamObserver observer) {
        Run run = new Run(command);
        StreamRun stream = new StreamRun(run, observer);
        run.conversation().whenComplete((chatCommand, error) -> {
            if (error != null) {
                run.end(error);
                observer.onError(Execution.errorOf(error));
                return;
            }
            stream.begin(chatCommand);
        });
        return stream;
    }

    @Override
    public CompletableFuture<StoredResponse> read(CallerContext caller, String id) {
        if (!caller.access().permits(Action.READ)) {
            return CompletableFuture.failedFuture(AccessDenied.forbidden(Action.READ));
        }
        Optional<ResponseId> parsed = ResponseId.parse(id);
        if (parsed.isEmpty()) {
            return CompletableFuture.failedFuture(notFound(id));
        }
        TraceSpan span = span("responses read", caller, parsed.get());
        return finish(span, calls.traced(span, "response.find", Map.of("meridian.response.id", id), () -> store.find(caller.tenant(), parsed.get()))
                .thenApply(found -> found.orElseThrow(() -> notFound(id))));
    }

    @Override
    public CompletableFuture<Void> delete(CallerContext caller, String id) {
        if (!caller.access().permits(Action.WRITE)) {
            return CompletableFuture.failedFuture(AccessDenied.forbidden(Action.WRITE));
        }
        Optional<ResponseId> parsed = ResponseId.parse(id);
        if (parsed.isEmpty()) {
            return CompletableFuture.failedFuture(notFound(id));
        }
        TraceSpan span = span("responses delete", caller, parsed.get());
        return finish(span, calls.traced(span, "response.delete", Map.of("meridian.response.id", id), () -> store.delete(caller.tenant(), parsed.get()))
                .thenApply(deleted -> {
                    if (!deleted) {
                        throw notFound(id);
                    }
                    return null;
                }));
    }

    private TraceSpan span(String name, CallerContext caller, ResponseId id) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("meridian.request_id", caller.requestId());
        attributes.put("meridian.tenant", caller.tenant());
        attributes.put("meridian.response.id", id.value());
        return telemetry.startRequest(name, caller.traceparent(), attributes);
    }

    /** Ends the span with the call, and turns an outage into the client's 503. */
    private <T> CompletableFuture<T> finish(TraceSpan span, CompletableFuture<T> call) {
        return call.handle((value, error) -> {
            try {
                if (error != null) {
                    Throwable cause = clientError(error);
                    span.fail(String.valueOf(cause.getMessage()));
                    throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
                }
                return value;
            } finally {
                span.end();
            }
        });
    }

    private Throwable clientError(Throwable error) {
        Throwable cause = StoreCalls.unwrap(error);
        if (cause instanceof ConversationStoreUnavailableException) {
            return new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE, "The response store is unavailable; please retry shortly.",
                    null, null, settings.retryAfter()), cause);
        }
        return cause;
    }

    static GatewayException notFound(String id) {
        String shown = id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "…" : id;
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, "Response with id '" + shown + "' not found.", null, null, null));
    }

    /** The answer of one choice as the assistant message a continuation sends back: text (none when only tools were called), reasoning, calls, refusal. */
    static ChatMessage answer(Choice choice) {
        List<ToolCall> calls = new ArrayList<>(choice.toolCalls());
        if (choice.functionCall() != null) {
            calls.add(ToolCall.function("call_legacy", choice.functionCall().name(), choice.functionCall().arguments()));
        }
        boolean onlyCalls = choice.content() == null && !calls.isEmpty();
        Map<String, String> extra = choice.refusal() == null ? Map.of() : RawFields.with(Map.of(), "refusal", quote(choice.refusal()));
        return ChatMessage.builder(Role.ASSISTANT).content(onlyCalls ? null : choice.text()).contentNull(onlyCalls).toolCalls(calls)
                .reasoningContent(choice.reasoningContent().isEmpty() ? null : choice.reasoningContent()).extra(extra).build();
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    /** One response request on its way: its id and time, its span, the chain it continues, how it is kept. */
    private final class Run {
        final ResponseCommand command;
        final ResponseId id = ResponseId.generate(ids.get());
        final Instant createdAt = clock.instant();
        final TraceSpan span;
        private Optional<ResponseId> previous = Optional.empty();

        Run(ResponseCommand command) {
            this.command = command;
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("meridian.request_id", command.caller().requestId());
            attributes.put("meridian.tenant", command.caller().tenant());
            attributes.put("meridian.response.id", id.value());
            attributes.put("meridian.response.store", command.store());
            command.previousResponseId().ifPresent(p -> attributes.put("meridian.response.previous_id", p));
            this.span = telemetry.startRequest("responses " + command.request().model(), command.caller().traceparent(), attributes);
        }

        List<ChatMessage> instructions() {
            return command.request().messages().subList(0, command.instructionCount());
        }

        List<ChatMessage> input() {
            return command.request().messages().subList(command.instructionCount(), command.request().messages().size());
        }

        /** The chat command: instructions, the chain's conversation (trimmed if asked), the input; the chat span a child of this one. */
        CompletableFuture<ChatCommand> conversation() {
            CallerContext caller = command.caller();
            CallerContext child = new CallerContext(caller.requestId(), caller.tenant(), caller.callerKey(), span.traceparent() != null
                    ? span.traceparent() : caller.traceparent(), caller.receivedAtNanos(), caller.headers(), caller.access(), caller.clientAddress(), caller.cache());
            if (command.previousResponseId().isEmpty()) {
                return CompletableFuture.completedFuture(new ChatCommand(child, command.request()));
            }
            String previousId = command.previousResponseId().get();
            Optional<ResponseId> parsed = ResponseId.parse(previousId);
            if (parsed.isEmpty()) {
                return CompletableFuture.failedFuture(previousNotFound(previousId));
            }
            previous = parsed;
            return calls.traced(span, "response.chain", Map.of("meridian.response.previous_id", previousId),
                            () -> store.chain(caller.tenant(), parsed.get(), settings.maxChain()))
                    .handle((chain, error) -> {
                        if (error != null) {
                            throw new CompletionException(clientError(error));
                        }
                        if (chain.isEmpty()) {
                            throw previousNotFound(previousId);
                        }
                        List<ChatMessage> history = new ArrayList<>();
                        chain.forEach(r -> history.addAll(r.conversation()));
                        span.set("meridian.response.chain_length", chain.size());
                        ChatRequest request = command.request();
                        List<ChatMessage> messages;
                        if (command.truncate()) {
                            ContextBudget budget = ContextBudget.of(settings.contextWindow().applyAsInt(request.model()), request.params().maxTokens());
                            messages = truncation.fit(instructions(), history, input(), budget);
                        } else {
                            messages = new ArrayList<>(instructions());
                            messages.addAll(history);
                            messages.addAll(input());
                        }
                        return new ChatCommand(child, request.withMessages(messages));
                    });
        }

        StoredResponse response(ResponseStatus status, Optional<ChatMessage> output, Optional<FinishReason> finish, TokenUsage usage,
                                List<Citation> citations, List<String> notices, Optional<StoredResponse.Failure> failure) {
            return new StoredResponse(id, previous, command.request().model(), createdAt, status, input(), output, finish, usage, citations,
                    notices, failure, command.attributes());
        }

        /** Keeps the response when asked to; true once it is stored. */
        CompletableFuture<Boolean> keep(StoredResponse response) {
            if (!command.store()) {
                return CompletableFuture.completedFuture(false);
            }
            return calls.traced(span, "response.save", Map.of("meridian.response.id", id.value()), () -> store.save(command.caller().tenant(), response))
                    .handle((ignored, error) -> {
                        if (error != null) {
                            Throwable cause = clientError(error);
                            GatewayError client = cause instanceof GatewayException g ? g.error()
                                    : GatewayError.of(ErrorKind.INTERNAL, "The server had an error while processing your request.");
                            if (!(cause instanceof GatewayException)) {
                                LOG.log(Level.ERROR, "storing response " + id + " failed", cause);
                            }
                            throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                                    "The response could not be stored, so it was not delivered; please retry. (" + client.message() + ")",
                                    null, null, settings.retryAfter()));
                        }
                        return true;
                    });
        }

        void end(Throwable error) {
            span.set("meridian.response.status", error == null ? "ok" : "error");
            if (error != null) {
                span.fail(String.valueOf(StoreCalls.unwrap(error).getMessage()));
            }
            span.end();
        }
    }

    private static GatewayException previousNotFound(String id) {
        String shown = id.length() > 64 ? id.substring(0, 64) + "…" : id;
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, "Previous response with id '" + shown + "' not found.",
                "previous_response_id", "previous_response_not_found", null));
    }

    /** A streamed response: relays the chat stream, assembles the answer, keeps it before the end is delivered. */
    private final class StreamRun implements ChatStreamObserver, Cancellable {
        private final Run run;
        private final ResponseStreamObserver observer;
        private final AnswerAssembler answer = new AnswerAssembler();
        private Cancellable upstream;
        private boolean started;
        private boolean cancelled;
        private boolean ended;

        StreamRun(Run run, ResponseStreamObserver observer) {
            this.run = run;
            this.observer = observer;
        }

        void begin(ChatCommand chatCommand) {
            Cancellable handle = chat.stream(chatCommand, this);
            synchronized (this) {
                if (cancelled) {
                    handle.cancel();
                } else {
                    upstream = handle;
                }
            }
        }

        @Override
        public void cancel() {
            Cancellable handle;
            synchronized (this) {
                if (cancelled || ended) {
                    return;
                }
                cancelled = true;
                handle = upstream;
            }
            if (handle != null) {
                handle.cancel();
            }
            run.span.event("meridian.client_cancelled", Map.of());
            run.end(null);
        }

        @Override
        public synchronized void onStart(StreamStart start) {
            if (cancelled) {
                return;
            }
            started = true;
            citations = start.citations();
            notices = start.notices();
            observer.onStart(new ResponseStart(run.id, run.createdAt, start));
        }

        @Override
        public synchronized void onDelta(Delta delta) {
            if (cancelled) {
                return;
            }
            answer.add(delta);
            observer.onDelta(delta);
        }

        @Override
        public void onFinish(StreamEnd end) {
            StoredResponse response;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                ended = true;
                answer.finishAll(end.finishReason(), 1);
                Choice first = answer.choices(end.finishReason()).get(0);
                response = run.response(ResponseStatus.of(end.finishReason()), Optional.of(answer(first)), Optional.of(end.finishReason()),
                        end.usage(), citations, notices, Optional.empty());
            }
            run.keep(response).whenComplete((stored, error) -> {
                run.end(error);
                if (error != null) {
                    observer.onError(Execution.errorOf(error));
                } else {
                    observer.onFinish(end, response);
                }
            });
        }

        private List<Citation> citations = List.of();
        private List<String> notices = List.of();

        @Override
        public void onError(GatewayError error) {
            StoredResponse failed = null;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                ended = true;
                if (started) {
                    // What was streamed before the failure is kept with the failure, so GET shows what the client saw.
                    Choice partial = answer.choices(FinishReason.ERROR).get(0);
                    boolean anything = !partial.text().isEmpty() || partial.callsTools() || !partial.reasoningContent().isEmpty();
                    failed = run.response(ResponseStatus.FAILED, anything ? Optional.of(answer(partial)) : Optional.empty(), Optional.empty(),
                            TokenUsage.ZERO, citations, notices, Optional.of(new StoredResponse.Failure(error.kind() == ErrorKind.RATE_LIMITED
                                    ? "rate_limit_exceeded" : "server_error", error.message())));
                }
            }
            GatewayException failure = new GatewayException(error);
            if (failed == null) {
                run.end(failure);
            } else {
                StoredResponse keptFailure = failed;
                run.keep(keptFailure).whenComplete((stored, storeError) -> {
                    if (storeError != null) {
                        LOG.log(Level.WARNING, "the failed response " + keptFailure.id() + " could not be stored: " + storeError.getMessage());
                    }
                    run.end(failure);
                });
            }
            observer.onError(error);
        }
    }
}
