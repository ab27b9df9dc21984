package ai.meridian.application.service;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.pii.PiiVault;
import ai.meridian.domain.pii.PlaceholderRestorer;
import ai.meridian.domain.routing.ModelCapabilities;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An untrusted backend behind the PII policy: each call's prompt is masked (a vault per call: the same request
 * masks the same way on every attempt), and the answer's placeholders are restored before the core sees it, in
 * whole answers and in streams, where a placeholder cut between two deltas is held back until it is whole (per
 * choice, per field, per tool call). A call without personal data passes through untouched.
 */
public final class MaskingModelBackend implements ModelBackend {
    private final ModelBackend backend;
    private final PiiPolicy policy;

    public MaskingModelBackend(ModelBackend backend, PiiPolicy policy) {
        this.backend = backend;
        this.policy = policy;
    }

    @Override
    public String id() {
        return backend.id();
    }

    private static BackendCall masked(BackendCall call, List<ai.meridian.domain.chat.ChatMessage> messages) {
        return call.withMessages(messages); // everything else as it was: tools, forwarded headers, the text-completion mode
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        PiiVault vault = new PiiVault();
        List<ai.meridian.domain.chat.ChatMessage> messages = policy.mask(call.messages(), vault);
        if (vault.isEmpty()) {
            return backend.complete(call);
        }
        CompletableFuture<Completion> answer = backend.complete(masked(call, messages));
        if (!policy.restoreAnswers()) {
            return answer;
        }
        CompletableFuture<Completion> restored = answer.thenApply(completion -> policy.restore(completion, vault));
        restored.whenComplete((c, e) -> {
            if (restored.isCancelled()) {
                answer.cancel(false); // the core cancels what it was given: pass it on to the call in flight
            }
        });
        return restored;
    }

    @Override
    public Cancellable stream(BackendCall call, BackendStreamListener listener) {
        PiiVault vault = new PiiVault();
        List<ai.meridian.domain.chat.ChatMessage> messages = policy.mask(call.messages(), vault);
        if (vault.isEmpty()) {
            return backend.stream(call, listener);
        }
        return backend.stream(masked(call, messages), policy.restoreAnswers() ? new Restoring(listener, vault) : listener);
    }

    @Override
    public boolean generatesText() {
        return backend.generatesText();
    }

    @Override
    public ModelCapabilities capabilities(String upstreamModel) {
        return backend.capabilities(upstreamModel);
    }

    @Override
    public CompletableFuture<Boolean> probeReady() {
        return backend.probeReady();
    }

    @Override
    public void close() {
        backend.close();
    }

    /** Restores placeholders in the deltas of one streamed answer. Calls arrive one at a time (the listener contract). */
    private static final class Restoring implements BackendStreamListener {
        private final BackendStreamListener listener;
        private final PiiVault vault;
        private final Map<String, PlaceholderRestorer> restorers = new HashMap<>();

        Restoring(BackendStreamListener listener, PiiVault vault) {
            this.listener = listener;
            this.vault = vault;
        }

        private PlaceholderRestorer restorer(String key) {
            return restorers.computeIfAbsent(key, k -> new PlaceholderRestorer(vault));
        }

        private String restore(String key, String text, boolean last) {
            if (text == null) {
                return null;
            }
            String out = text.isEmpty() && !restorers.containsKey(key) ? text : restorer(key).next(text);
            if (last && restorers.containsKey(key)) {
                out += restorers.remove(key).finish();
            }
            return out;
        }

        @Override
        public void onDelta(Delta d) {
            boolean last = d.finishReason() != null;
            String prefix = d.choice() + ":";
            List<ToolCallDelta> calls = d.toolCalls();
            if (!calls.isEmpty()) {
                List<ToolCallDelta> restored = new ArrayList<>(calls.size());
                for (ToolCallDelta t : calls) {
                    restored.add(new ToolCallDelta(t.index(), t.id(), t.type(), t.name(),
                            restore(prefix + "tool" + t.index(), t.arguments(), last)));
                }
                calls = restored;
            }
            if (last) {
                calls = flushToolCalls(prefix, calls);
            }
            ToolCallDelta function = d.functionCall() == null ? null : new ToolCallDelta(d.functionCall().index(), d.functionCall().id(),
                    d.functionCall().type(), d.functionCall().name(), restore(prefix + "function", d.functionCall().arguments(), last));
            Delta restored = new Delta(d.choice(), restore(prefix + "content", d.content(), last),
                    restore(prefix + "reasoning", d.reasoningContent(), last), calls, function,
                    restore(prefix + "refusal", d.refusal(), last), d.logprobs(), d.finishReason(), d.chunkExtra(), d.choiceExtra(), d.deltaExtra());
            if (!restored.isEmpty()) {
                listener.onDelta(restored);
            }
        }

        /** Tool calls of a finishing choice whose arguments still hold an unfinished placeholder. */
        private List<ToolCallDelta> flushToolCalls(String prefix, List<ToolCallDelta> calls) {
            List<ToolCallDelta> all = new ArrayList<>(calls);
            for (String key : List.copyOf(restorers.keySet())) {
                if (key.startsWith(prefix + "tool")) {
                    int index = Integer.parseInt(key.substring((prefix + "tool").length()));
                    String rest = restorers.remove(key).finish();
                    if (!rest.isEmpty()) {
                        all.add(ToolCallDelta.arguments(index, rest));
                    }
                }
            }
            return all;
        }

        @Override
        public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
            for (Map.Entry<String, PlaceholderRestorer> e : restorers.entrySet()) {
                String rest = e.getValue().finish();
                if (rest.isEmpty()) {
                    continue;
                }
                int colon = e.getKey().indexOf(':');
                int choice = Integer.parseInt(e.getKey().substring(0, colon));
                String field = e.getKey().substring(colon + 1);
                if (field.equals("content")) {
                    listener.onDelta(new Delta(choice, rest, "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
                } else if (field.equals("reasoning")) {
                    listener.onDelta(new Delta(choice, "", rest, List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
                } else if (field.startsWith("tool")) {
                    listener.onDelta(Delta.toolCalls(choice, List.of(ToolCallDelta.arguments(Integer.parseInt(field.substring(4)), rest))));
                } else if (field.equals("refusal")) {
                    listener.onDelta(new Delta(choice, "", "", List.of(), null, rest, null, null, Map.of(), Map.of(), Map.of()));
                } else if (field.equals("function")) {
                    listener.onDelta(new Delta(choice, "", "", List.of(), ToolCallDelta.arguments(0, rest), null, null, null, Map.of(), Map.of(),
                            Map.of()));
                }
            }
            restorers.clear();
            listener.onComplete(reason, usage, upstreamModel);
        }

        @Override
        public void onError(Failure failure) {
            listener.onError(failure);
        }
    }
}
