package ai.meridian.application.service;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** An in-memory backend for service tests: each call takes the next scripted behaviour. */
final class ScriptedBackend implements ModelBackend {
    private final String id;
    private final Deque<Consumer<BackendStreamListener>> script = new ArrayDeque<>();
    final List<BackendCall> calls = new ArrayList<>();
    final AtomicInteger cancellations = new AtomicInteger();
    BackendStreamListener lastListener;
    private ai.meridian.domain.routing.ModelCapabilities capabilities = ai.meridian.domain.routing.ModelCapabilities.UNKNOWN;
    ai.meridian.domain.fallback.ContinuationStyle continuation = ai.meridian.domain.fallback.ContinuationStyle.PROMPT;

    ScriptedBackend(String id) {
        this.id = id;
    }

    ScriptedBackend answers(String... pieces) {
        script.add(listener -> {
            for (String piece : pieces) {
                listener.onDelta(Delta.of(piece));
            }
            listener.onComplete(FinishReason.STOP, Optional.of(new TokenUsage(5, pieces.length)), id + "-model");
        });
        return this;
    }

    ScriptedBackend answersWithoutUsage(String text) {
        script.add(listener -> {
            listener.onDelta(Delta.of(text));
            listener.onComplete(FinishReason.STOP, Optional.empty(), "");
        });
        return this;
    }

    ScriptedBackend fails(Failure failure) {
        script.add(listener -> listener.onError(failure));
        return this;
    }

    ScriptedBackend failsAfter(Failure failure, String... pieces) {
        script.add(listener -> {
            for (String piece : pieces) {
                listener.onDelta(Delta.of(piece));
            }
            listener.onError(failure);
        });
        return this;
    }

    /** Plays any script on the listener (tool calls, several choices, finish reasons). */
    ScriptedBackend plays(Consumer<BackendStreamListener> play) {
        script.add(play);
        return this;
    }

    /** Any behaviour, written against the listener. */
    ScriptedBackend script(Consumer<BackendStreamListener> behaviour) {
        script.add(behaviour);
        return this;
    }

    /** Says it can do this (for every model). */
    ScriptedBackend withCapabilities(ai.meridian.domain.routing.ModelCapabilities value) {
        this.capabilities = value;
        return this;
    }

    /** Streams these pieces, then finishes for {@code reason} with the given usage. */
    ScriptedBackend streams(FinishReason reason, TokenUsage usage, Delta... pieces) {
        script.add(listener -> {
            for (Delta piece : pieces) {
                listener.onDelta(piece);
            }
            listener.onComplete(reason, Optional.ofNullable(usage), id + "-model");
        });
        return this;
    }

    /** Streams these pieces, then fails. */
    ScriptedBackend failsAfterDeltas(Failure failure, Delta... pieces) {
        script.add(listener -> {
            for (Delta piece : pieces) {
                listener.onDelta(piece);
            }
            listener.onError(failure);
        });
        return this;
    }

    @Override
    public ai.meridian.domain.routing.ModelCapabilities capabilities(String upstreamModel) {
        return capabilities;
    }

    @Override
    public ai.meridian.domain.fallback.ContinuationStyle continuation(String upstreamModel) {
        return continuation;
    }

    /** Never answers: the test drives {@link #lastListener} or cancels. */
    ScriptedBackend hangs() {
        script.add(listener -> lastListener = listener);
        return this;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        CompletableFuture<Completion> future = new CompletableFuture<>();
        StringBuilder text = new StringBuilder();
        Cancellable handle = stream(call, new BackendStreamListener() {
            @Override
            public void onDelta(Delta delta) {
                text.append(delta.content());
            }

            @Override
            public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
                future.complete(new Completion(text.toString(), "", reason, usage, upstreamModel));
            }

            @Override
            public void onError(Failure failure) {
                future.completeExceptionally(new BackendFailureException(failure));
            }
        });
        future.whenComplete((c, e) -> {
            if (future.isCancelled()) {
                handle.cancel();
            }
        });
        return future;
    }

    @Override
    public synchronized Cancellable stream(BackendCall call, BackendStreamListener listener) {
        calls.add(call);
        Consumer<BackendStreamListener> next = script.poll();
        if (next == null) {
            throw new AssertionError("backend " + id + " called more often than scripted");
        }
        next.accept(listener);
        return cancellations::incrementAndGet;
    }
}
