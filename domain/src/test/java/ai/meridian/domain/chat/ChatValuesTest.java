package ai.meridian.domain.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatValuesTest {

    @Test
    void generationParamsRejectOutOfRangeValuesNamingTheParameter() {
        assertThatThrownBy(() -> new GenerationParams(2.5, null, null, null, null, null, null, null, null))
                .isInstanceOf(InvalidValueException.class).extracting("param").isEqualTo("temperature");
        assertThatThrownBy(() -> new GenerationParams(null, 1.1, null, null, null, null, null, null, null))
                .extracting("param").isEqualTo("top_p");
        assertThatThrownBy(() -> new GenerationParams(null, null, 0, null, null, null, null, null, null))
                .extracting("param").isEqualTo("max_tokens");
        assertThatThrownBy(() -> new GenerationParams(null, null, null, List.of("a", "b", "c", "d", "e"), null, null, null, null, null))
                .extracting("param").isEqualTo("stop");
        assertThatThrownBy(() -> new GenerationParams(Double.NaN, null, null, null, null, null, null, null, null))
                .extracting("param").isEqualTo("temperature");
        assertThatThrownBy(() -> new GenerationParams(null, null, null, null, null, null, null, 3.0, null))
                .extracting("param").isEqualTo("presence_penalty");
    }

    @Test
    void chatRequestNeedsAModelAndMessages() {
        assertThatThrownBy(() -> new ChatRequest("m", List.of(), null, false, false))
                .extracting("param").isEqualTo("messages");
        assertThatThrownBy(() -> new ChatRequest(" ", List.of(ChatMessage.user("x")), null, false, false))
                .extracting("param").isEqualTo("model");
        ChatRequest request = new ChatRequest("m", List.of(ChatMessage.system("s"), ChatMessage.user("q1"),
                ChatMessage.assistant("a1"), ChatMessage.user("q2")), null, false, false);
        assertThat(request.lastUserText()).isEqualTo("q2");
        assertThat(request.params()).isEqualTo(GenerationParams.DEFAULTS);
    }

    @Test
    void rolesAcceptOpenAiNames() {
        assertThat(Role.fromWire("developer")).contains(Role.SYSTEM);
        assertThat(Role.fromWire("tool")).contains(Role.TOOL);
        assertThat(Role.fromWire("function")).contains(Role.FUNCTION);
        assertThat(Role.fromWire("critic")).isEmpty();
        assertThat(Role.ASSISTANT.wireName()).isEqualTo("assistant");
    }

    @Test
    void finishReasonsMapFromBackends() {
        assertThat(FinishReason.fromWire("length")).isEqualTo(FinishReason.LENGTH);
        assertThat(FinishReason.fromWire("length")).isSameAs(FinishReason.LENGTH);
        assertThat(FinishReason.fromWire(null)).isEqualTo(FinishReason.STOP);
        // Reasons the gateway does not know reach the client as the backend wrote them.
        assertThat(FinishReason.fromWire("insufficient_system_resource").wireName()).isEqualTo("insufficient_system_resource");
        assertThat(FinishReason.fromWire("eos").whole()).isTrue();
        assertThat(FinishReason.CANCELLED.whole()).isFalse();
    }

    @Test
    void responseFormatValidatesItsType() {
        assertThatThrownBy(() -> new ResponseFormat("xml", null)).extracting("param").isEqualTo("response_format.type");
        assertThatThrownBy(() -> new ResponseFormat("json_schema", null)).isInstanceOf(InvalidValueException.class);
        assertThat(ResponseFormat.JSON_OBJECT.isJson()).isTrue();
    }
}
