package ai.meridian.adapter.in.responses;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.retrieval.Citation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Responses API input items become chat messages as chat carries them; annotations point at [n] in code points. */
class InputFoldingTest {

    @Test
    void anAssistantsTextCallsAndReasoningMakeOneMessageAndOutputsAreToolMessages() {
        List<ChatMessage> messages = InputFolding.fold(List.of(
                new InputItem.Message(ChatMessage.user("Weather in Oslo and Rome?")),
                new InputItem.Reasoning("Two cities: two calls."),
                new InputItem.Message(ChatMessage.assistant("Looking it up.")),
                new InputItem.Call(ToolCall.function("c1", "weather", "{\"city\":\"Oslo\"}")),
                new InputItem.Call(ToolCall.function("c2", "weather", "{\"city\":\"Rome\"}")),
                new InputItem.Output("c1", "3 °C", List.of()),
                new InputItem.Output("c2", "18 °C", List.of()),
                new InputItem.Skip(),
                new InputItem.Call(ToolCall.function("c3", "weather", "{\"city\":\"Paris\"}"))));
        assertThat(messages).hasSize(5);
        ChatMessage turn = messages.get(1);
        assertThat(turn.role()).isEqualTo(Role.ASSISTANT);
        assertThat(turn.content()).isEqualTo("Looking it up.");
        assertThat(turn.reasoningContent()).isEqualTo("Two cities: two calls.");
        assertThat(turn.toolCalls()).extracting(ToolCall::id).containsExactly("c1", "c2");
        assertThat(messages.get(2)).isEqualTo(ChatMessage.toolResult("c1", "3 °C"));
        assertThat(messages.get(3)).isEqualTo(ChatMessage.toolResult("c2", "18 °C"));
        ChatMessage callsOnly = messages.get(4);
        assertThat(callsOnly.contentNull()).isTrue();
        assertThat(callsOnly.toolCalls()).extracting(ToolCall::id).containsExactly("c3");
    }

    @Test
    void twoAssistantMessagesInARowStayTwo() {
        List<ChatMessage> messages = InputFolding.fold(List.of(new InputItem.Message(ChatMessage.assistant("a")),
                new InputItem.Message(ChatMessage.assistant("b")), new InputItem.Message(ChatMessage.user("c"))));
        assertThat(messages).containsExactly(ChatMessage.assistant("a"), ChatMessage.assistant("b"), ChatMessage.user("c"));
    }

    @Test
    void annotationsCountCodePointsAndOnlyKnownSources() {
        Citation one = new Citation(1, "One", "https://one.example", "", "", "web");
        List<Items.Annotation> found = Items.annotations("😀 Ja [1], nein [7] [1].", List.of(one));
        assertThat(found).extracting(Items.Annotation::start).containsExactly(5, 19);
        assertThat(found).extracting(Items.Annotation::end).containsExactly(8, 22);
    }
}
