package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HermesPromptTest {
    static final String WEATHER_JSON = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}";
    static final ToolDefinition WEATHER = new ToolDefinition("function", "get_weather", "Weather in a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}", WEATHER_JSON);

    private static ToolSpec tools(ToolChoice choice) {
        return new ToolSpec(List.of(WEATHER), Optional.ofNullable(choice), Optional.empty(), false);
    }

    /** What Qwen2.5-7B-Instruct's chat template (tokenizer_config.json) renders for the same conversation, with vLLM's argument parsing. */
    @Test
    void aToolLoopIsWrittenAsQwenTwoPointFivesTemplateWritesIt() {
        List<ChatMessage> messages = List.of(
                ChatMessage.system("You are a weather bot."),
                ChatMessage.user("Weather in Paris and 東京?"),
                ChatMessage.assistantToolCalls(null, List.of(
                        ToolCall.function("call_1", "get_weather", "{\"city\":\"Paris\"}"),
                        ToolCall.function("call_2", "get_weather", "{\"city\": \"東京\"}"))),
                ChatMessage.toolResult("call_1", "{\"temp\": 18}"),
                ChatMessage.toolResult("call_2", "22°C"));
        assertThat(HermesPrompt.render(messages, tools(null))).isEqualTo(
                "<|im_start|>system\nYou are a weather bot.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                        + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
                        + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather in a city\", "
                        + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}, \"required\": [\"city\"]}}}\n"
                        + "</tools>\n\nFor each function call, return a json object with function name and arguments within "
                        + "<tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n"
                        + "</tool_call><|im_end|>\n"
                        + "<|im_start|>user\nWeather in Paris and 東京?<|im_end|>\n"
                        + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>\n"
                        + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"東京\"}}\n</tool_call><|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>\n{\"temp\": 18}\n</tool_response>\n<tool_response>\n22°C\n</tool_response><|im_end|>\n"
                        + "<|im_start|>assistant\n");
    }

    @Test
    void withoutASystemMessageTheToolsSectionStandsAloneAndTextBesideCallsIsKept() {
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"),
                ChatMessage.assistantToolCalls("Checking.", List.of(ToolCall.function("c", "get_weather", "not json"))),
                ChatMessage.toolResult("c", "sunny"));
        String prompt = HermesPrompt.render(messages, tools(ToolChoice.AUTO));
        assertThat(prompt).startsWith("<|im_start|>system\n# Tools\n\n");
        assertThat(prompt).contains("<|im_start|>assistant\nChecking.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"not json\"}\n</tool_call><|im_end|>\n");
        assertThat(prompt).endsWith("<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void toolChoiceNoneLeavesTheToolsOutAndRequiredOrANamedToolStartsTheCall() {
        List<ChatMessage> messages = List.of(ChatMessage.system("S"), ChatMessage.user("U"));
        assertThat(HermesPrompt.render(messages, tools(ToolChoice.NONE)))
                .isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
        assertThat(HermesPrompt.render(messages, tools(ToolChoice.REQUIRED))).endsWith("<|im_start|>assistant\n<tool_call>\n");
        ToolChoice named = new ToolChoice("function", "get_weather", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}");
        assertThat(HermesPrompt.render(messages, tools(named)))
                .endsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ");
        ToolChoice allowed = new ToolChoice("other", null, "{\"type\":\"allowed_tools\"}");
        assertThatThrownBy(() -> HermesPrompt.render(messages, tools(allowed))).hasMessageContaining("tool_choice");
    }

    @Test
    void jsonIsWrittenAsPythonsJsonDumpsWritesIt() {
        assertThat(PythonJson.of("{\"a\":[1,2.50,true,null],\"b\":{\"c\":\"x\\ny\\u0001\\\"é\"}}"))
                .isEqualTo("{\"a\": [1, 2.50, true, null], \"b\": {\"c\": \"x\\ny\\u0001\\\"é\"}}");
        assertThat(PythonJson.of("[]")).isEqualTo("[]");
        assertThatThrownBy(() -> PythonJson.of("{\"a\":")).isInstanceOf(IllegalArgumentException.class);
    }
}
