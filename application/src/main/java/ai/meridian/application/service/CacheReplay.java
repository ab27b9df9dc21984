package ai.meridian.application.service;

import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A kept answer as the deltas of a stream, choice after choice: the message's other fields and the answer's own
 * top-level fields on the choice's first delta, then the reasoning, the text in pieces of at most {@link #PIECE}
 * characters (never splitting a surrogate pair), the refusal, each tool call whole (its opening fragment carries the
 * whole arguments), the legacy function call, the log probabilities of the whole choice, and the finish reason on the
 * last delta. {@code AnswerAssembler} puts these deltas back together into the same choices.
 */
final class CacheReplay {
    /** Characters of text per delta: a replayed answer still arrives as a stream of chunks, not as one. */
    static final int PIECE = 256;

    private CacheReplay() {
    }

    static List<Delta> deltas(Completion completion) {
        List<Delta> deltas = new ArrayList<>();
        boolean firstOfAnswer = true;
        for (Choice choice : completion.choices()) {
            int index = choice.index();
            List<Delta> pieces = new ArrayList<>();
            if (!choice.reasoningContent().isEmpty()) {
                pieces.add(new Delta(index, "", choice.reasoningContent(), List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
            }
            String text = choice.text();
            for (int start = 0; start < text.length(); ) {
                int end = Math.min(text.length(), start + PIECE);
                if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
                    end--;
                }
                pieces.add(new Delta(index, text.substring(start, end), "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
                start = end;
            }
            if (choice.refusal() != null) {
                pieces.add(new Delta(index, "", "", List.of(), null, choice.refusal(), null, null, Map.of(), Map.of(), Map.of()));
            }
            if (!choice.toolCalls().isEmpty()) {
                List<ToolCallDelta> calls = new ArrayList<>();
                for (int i = 0; i < choice.toolCalls().size(); i++) {
                    ToolCall call = choice.toolCalls().get(i);
                    calls.add(new ToolCallDelta(i, call.id(), call.type(), call.name(), call.arguments()));
                }
                pieces.add(Delta.toolCalls(index, calls));
            }
            if (choice.functionCall() != null) {
                ToolCall call = choice.functionCall();
                pieces.add(new Delta(index, "", "", List.of(), new ToolCallDelta(0, null, null, call.name(), call.arguments()), null, null,
                        null, Map.of(), Map.of(), Map.of()));
            }
            if (pieces.isEmpty()) {
                pieces.add(Delta.empty(index));
            }
            // Raw fields and log probabilities ride on the choice's first piece, the finish reason on its last.
            Delta first = pieces.get(0);
            pieces.set(0, new Delta(index, first.content(), first.reasoningContent(), first.toolCalls(), first.functionCall(), first.refusal(),
                    choice.logprobs(), null, firstOfAnswer ? completion.extra() : Map.of(), choice.choiceExtra(), choice.messageExtra()));
            firstOfAnswer = false;
            int last = pieces.size() - 1;
            pieces.set(last, pieces.get(last).withFinishReason(choice.finishReason()));
            deltas.addAll(pieces);
        }
        return deltas;
    }
}
