package ai.meridian.domain.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Messages hold tool calls, tool results and content parts as values, validated where they are made. */
class ChatMessageTest {

    @Test
    void toolCallsAndResultsAreValues() {
        ChatMessage call = ChatMessage.assistantToolCalls(null, List.of(ToolCall.function("call_1", "weather", "{\"city\":\"Paris\"}")));
        assertThat(call.contentNull()).isTrue();
        assertThat(call.callsTools()).isTrue();
        assertThat(call.toolCalls().get(0).arguments()).isEqualTo("{\"city\":\"Paris\"}");
        ChatMessage result = ChatMessage.toolResult("call_1", "18C");
        assertThat(result.role()).isEqualTo(Role.TOOL);
        assertThat(result.toolCallId()).isEqualTo("call_1");
    }

    @Test
    void rulesOfEachRoleAreKept() {
        assertThatThrownBy(() -> ChatMessage.builder(Role.TOOL).content("x").build())
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("tool_call_id");
        assertThatThrownBy(() -> ChatMessage.builder(Role.USER).content("x").toolCalls(List.of(ToolCall.function("a", "f", "{}"))).build())
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> ChatMessage.builder(Role.USER).contentNull(true).build()).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> ChatMessage.builder(Role.FUNCTION).content("x").build()).hasMessageContaining("name");
        assertThatThrownBy(() -> ChatMessage.builder(Role.USER).content("x").toolCallId("c").build()).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void partsKeepWhatTheClientWroteAndTheirTextIsReadable() {
        ChatMessage m = ChatMessage.builder(Role.USER).parts(List.of(
                new ContentPart("text", "first", "{\"type\":\"text\",\"text\":\"first\",\"cache_control\":{\"type\":\"ephemeral\"}}"),
                ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AA==\"}}"),
                ContentPart.text("second"))).extra(Map.of("x_custom", "1")).build();
        assertThat(m.content()).isEqualTo("first\nsecond");
        assertThat(m.hasMedia()).isTrue();
        assertThat(m.parts().get(0).json()).contains("cache_control");
        assertThat(m.extra()).containsEntry("x_custom", "1");
        assertThatThrownBy(() -> ContentPart.of("image_url", " ")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void passThroughFieldsKeepTheirOrder() {
        java.util.LinkedHashMap<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("z", "1");
        fields.put("a", "2");
        fields.put("m", "3");
        assertThat(RawFields.copy(fields).keySet()).containsExactly("z", "a", "m");
        assertThat(RawFields.without(RawFields.with(RawFields.copy(fields), "b", "4"), "a").keySet()).containsExactly("z", "m", "b");
    }

    @Test
    void toolSpecChecksTheNamedTool() {
        ToolDefinition weather = new ToolDefinition("function", "weather", null, null, "{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}");
        assertThatThrownBy(() -> new ToolSpec(List.of(weather), java.util.Optional.of(new ToolChoice("function", "clock",
                "{\"type\":\"function\",\"function\":{\"name\":\"clock\"}}")), java.util.Optional.empty(), false))
                .isInstanceOf(InvalidValueException.class).hasMessageContaining("clock");
        assertThat(new ToolSpec(List.of(weather), java.util.Optional.of(ToolChoice.NONE), java.util.Optional.empty(), false).offered()).isFalse();
    }
}
