package ai.meridian.domain.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Puts a streamed answer back together, choice by choice, from its deltas: text, reasoning, refusal, tool
 * calls (fragments joined by index: id, type and name from the opening fragment, arguments concatenated),
 * the legacy function call, and each choice's finish reason. What a stream has delivered so far can be
 * read at any time (a cut stream is recorded with what it produced). Not thread-safe.
 */
public final class AnswerAssembler {
    private final TreeMap<Integer, ChoiceParts> choices = new TreeMap<>();

    /** Takes one delta in. */
    public void add(Delta delta) {
        ChoiceParts parts = choices.computeIfAbsent(delta.choice(), ChoiceParts::new);
        parts.text.append(delta.content());
        parts.reasoning.append(delta.reasoningContent());
        if (delta.refusal() != null) {
            if (parts.refusal == null) {
                parts.refusal = new StringBuilder();
            }
            parts.refusal.append(delta.refusal());
        }
        for (ToolCallDelta fragment : delta.toolCalls()) {
            parts.toolCalls.computeIfAbsent(fragment.index(), i -> new CallParts()).add(fragment);
        }
        if (delta.functionCall() != null) {
            if (parts.functionCall == null) {
                parts.functionCall = new CallParts();
            }
            parts.functionCall.add(delta.functionCall());
        }
        if (!delta.content().isEmpty()) {
            parts.anyText = true;
        }
        if (delta.finishReason() != null) {
            parts.finish = delta.finishReason();
        }
    }

    /** The finish reason a choice reported, if it did. */
    public Optional<FinishReason> finishReason(int choice) {
        ChoiceParts parts = choices.get(choice);
        return parts == null ? Optional.empty() : Optional.ofNullable(parts.finish);
    }

    /** Sets the finish reason of every choice that has not reported one (backends that say it once, at the end). */
    public void finishAll(FinishReason reason, int choiceCount) {
        for (int i = 0; i < Math.max(1, choiceCount); i++) {
            ChoiceParts parts = choices.computeIfAbsent(i, ChoiceParts::new);
            if (parts.finish == null) {
                parts.finish = reason;
            }
        }
    }

    /** How many choices have produced something (at least 1 once anything arrived). */
    public int choiceCount() {
        return choices.isEmpty() ? 0 : choices.lastKey() + 1;
    }

    /** The text of the first choice so far. */
    public String text() {
        ChoiceParts first = choices.get(0);
        return first == null ? "" : first.text.toString();
    }

    /** The reasoning of the first choice so far. */
    public String reasoning() {
        ChoiceParts first = choices.get(0);
        return first == null ? "" : first.reasoning.toString();
    }

    /** The tool calls of the first choice so far (a call cut mid-arguments keeps what arrived). */
    public List<ToolCall> toolCalls() {
        ChoiceParts first = choices.get(0);
        return first == null ? List.of() : first.calls();
    }

    /** Every choice so far, index order; a choice without a finish reason gets {@code unfinished}. */
    public List<Choice> choices(FinishReason unfinished) {
        List<Choice> result = new ArrayList<>(choices.size());
        for (ChoiceParts parts : choices.values()) {
            result.add(parts.choice(unfinished));
        }
        if (result.isEmpty()) {
            result.add(Choice.text(0, "", "", unfinished));
        }
        return result;
    }

    private static final class ChoiceParts {
        final int index;
        final StringBuilder text = new StringBuilder();
        final StringBuilder reasoning = new StringBuilder();
        final TreeMap<Integer, CallParts> toolCalls = new TreeMap<>();
        StringBuilder refusal;
        CallParts functionCall;
        boolean anyText;
        FinishReason finish;

        ChoiceParts(int index) {
            this.index = index;
        }

        List<ToolCall> calls() {
            List<ToolCall> calls = new ArrayList<>(toolCalls.size());
            for (CallParts call : toolCalls.values()) {
                call.toCall().ifPresent(calls::add);
            }
            return calls;
        }

        Choice choice(FinishReason unfinished) {
            List<ToolCall> calls = calls();
            ToolCall function = functionCall == null ? null : functionCall.toCall().orElse(null);
            boolean onlyCalls = !anyText && (!calls.isEmpty() || function != null);
            return new Choice(index, onlyCalls ? null : text.toString(), reasoning.toString(), calls, function,
                    refusal == null ? null : refusal.toString(), null, finish == null ? unfinished : finish, Map.of(), Map.of());
        }
    }

    private static final class CallParts {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();

        void add(ToolCallDelta fragment) {
            if (fragment.id() != null) {
                id = fragment.id();
            }
            if (fragment.type() != null) {
                type = fragment.type();
            }
            if (fragment.name() != null && name == null) {
                name = fragment.name(); // some servers repeat the name on every fragment
            }
            if (fragment.arguments() != null) {
                arguments.append(fragment.arguments());
            }
        }

        Optional<ToolCall> toCall() {
            return name == null || name.isEmpty() ? Optional.empty() : Optional.of(new ToolCall(id, type, name, arguments.toString()));
        }
    }
}
