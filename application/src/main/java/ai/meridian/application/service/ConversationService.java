package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageConversationsUseCase;
import ai.meridian.application.port.out.ConversationStore;
import ai.meridian.application.port.out.ConversationStore.ConversationPage;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.application.port.out.TelemetryPort.TraceSpan;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.Action;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;

/** Lists, reads, renames and deletes a tenant's conversations; each call is traced with its store call as a child span. */
public final class ConversationService implements ManageConversationsUseCase {
    private final ConversationStore store;
    private final TelemetryPort telemetry;
    private final Clock clock;
    private final StoreCalls calls;

    public ConversationService(ConversationStore store, TelemetryPort telemetry, ConversationSettings settings, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.calls = new StoreCalls(settings.slowQueryThreshold(), settings.retryAfter());
    }

    @Override
    public CompletableFuture<ConversationPage> list(CallerContext caller, PageRequest page) {
        if (!caller.access().permits(Action.READ)) {
            return CompletableFuture.failedFuture(AccessDenied.forbidden(Action.READ));
        }
        return run(caller, "conversations list", "conversation.list", null,
                () -> store.list(caller.tenant(), page.limit(), page.after()), Function.identity(),
                unknown -> new GatewayException(new GatewayError(ErrorKind.INVALID_REQUEST,
                        "Invalid 'after': no conversation found with id '" + unknown.id().value() + "'.", "after", "invalid_value", null)));
    }

    @Override
    public CompletableFuture<ConversationTranscript> read(CallerContext caller, String id) {
        ConversationId conversationId;
        try {
            AccessDenied.require(caller, Action.READ);
            conversationId = parse(id);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(caller, "conversations read", "conversation.read", conversationId,
                () -> store.read(caller.tenant(), conversationId), found -> found.orElseThrow(() -> StoreCalls.notFound(id)), null);
    }

    @Override
    public CompletableFuture<Conversation> rename(CallerContext caller, String id, String title) {
        ConversationId conversationId;
        String valid;
        try {
            AccessDenied.require(caller, Action.WRITE);
            conversationId = parse(id);
            valid = Conversation.validTitle(title);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        } catch (InvalidValueException e) {
            return CompletableFuture.failedFuture(GatewayException.invalid(e.param(), e.getMessage()));
        }
        return run(caller, "conversations rename", "conversation.rename", conversationId,
                () -> store.rename(caller.tenant(), conversationId, valid, clock.instant()), found -> found.orElseThrow(() -> StoreCalls.notFound(id)), null);
    }

    @Override
    public CompletableFuture<Void> delete(CallerContext caller, String id) {
        ConversationId conversationId;
        try {
            AccessDenied.require(caller, Action.WRITE);
            conversationId = parse(id);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return run(caller, "conversations delete", "conversation.delete", conversationId,
                () -> store.delete(caller.tenant(), conversationId), deleted -> {
                    if (!deleted) {
                        throw StoreCalls.notFound(id);
                    }
                    return null;
                }, null);
    }

    /** An id in a path that cannot be an id names no conversation: 404, like an unknown one. */
    private static ConversationId parse(String id) {
        try {
            return new ConversationId(id);
        } catch (InvalidValueException e) {
            String shown = id == null ? "" : id.length() > 64 ? id.substring(0, 64) + "…" : id;
            throw StoreCalls.notFound(shown);
        }
    }

    private <T, R> CompletableFuture<R> run(CallerContext caller, String spanName, String operation, ConversationId id,
                                           Supplier<CompletableFuture<T>> call, Function<T, R> then,
                                           Function<UnknownConversationException, GatewayException> onUnknown) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("meridian.request_id", caller.requestId());
        attributes.put("meridian.tenant", caller.tenant());
        if (id != null) {
            attributes.put("meridian.conversation.id", id.value());
        }
        TraceSpan span = telemetry.startRequest(spanName, caller.traceparent(), attributes);
        return calls.traced(span, operation, Optional.ofNullable(id).<Map<String, Object>>map(i -> Map.of("meridian.conversation.id", i.value())).orElse(Map.of()), call)
                .handle((value, error) -> {
                    try {
                        if (error != null) {
                            Throwable cause = StoreCalls.unwrap(error);
                            if (cause instanceof UnknownConversationException unknown && onUnknown != null) {
                                throw onUnknown.apply(unknown);
                            }
                            Throwable mapped = calls.clientError(cause);
                            throw mapped instanceof RuntimeException r ? r : new CompletionException(mapped);
                        }
                        return then.apply(value);
                    } catch (RuntimeException e) {
                        span.fail(e.getMessage());
                        throw e;
                    } finally {
                        span.end();
                    }
                });
    }
}
