package ai.meridian.domain.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A streamed answer is put back together choice by choice, tool calls joined from their fragments. */
class AnswerAssemblerTest {

    private static Delta fragments(int choice, ToolCallDelta... pieces) {
        return Delta.toolCalls(choice, List.of(pieces));
    }

    @Test
    void joinsToolCallFragmentsByIndex() {
        AnswerAssembler answer = new AnswerAssembler();
        answer.add(fragments(0, ToolCallDelta.start(0, "call_a", "weather")));
        answer.add(fragments(0, ToolCallDelta.arguments(0, "{\"city\":")));
        answer.add(fragments(0, ToolCallDelta.start(1, "call_b", "clock"), ToolCallDelta.arguments(0, "\"Paris\"}")));
        answer.add(fragments(0, new ToolCallDelta(1, null, null, "clock", "{}"))); // a server repeating the name
        answer.add(Delta.empty(0).withFinishReason(FinishReason.TOOL_CALLS));
        assertThat(answer.toolCalls()).containsExactly(ToolCall.function("call_a", "weather", "{\"city\":\"Paris\"}"),
                ToolCall.function("call_b", "clock", "{}"));
        Choice choice = answer.choices(FinishReason.STOP).get(0);
        assertThat(choice.content()).isNull();
        assertThat(choice.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
    }

    @Test
    void keepsChoicesApart() {
        AnswerAssembler answer = new AnswerAssembler();
        answer.add(Delta.of("Hel"));
        answer.add(new Delta(1, "Bon", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
        answer.add(Delta.of("lo").withFinishReason(FinishReason.STOP));
        answer.add(new Delta(1, "jour", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of()));
        answer.finishAll(FinishReason.LENGTH, 2);
        List<Choice> choices = answer.choices(FinishReason.STOP);
        assertThat(choices).extracting(Choice::text).containsExactly("Hello", "Bonjour");
        assertThat(choices).extracting(Choice::finishReason).containsExactly(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(answer.choiceCount()).isEqualTo(2);
        assertThat(answer.text()).isEqualTo("Hello");
    }

    @Test
    void aRefusalIsKeptApartFromText() {
        AnswerAssembler answer = new AnswerAssembler();
        answer.add(new Delta(0, "", "", List.of(), null, "I can't", null, null, Map.of(), Map.of(), Map.of()));
        answer.add(new Delta(0, "", "", List.of(), null, " help.", null, null, Map.of(), Map.of(), Map.of()));
        Choice choice = answer.choices(FinishReason.STOP).get(0);
        assertThat(choice.refusal()).isEqualTo("I can't help.");
        assertThat(choice.text()).isEmpty();
    }
}
