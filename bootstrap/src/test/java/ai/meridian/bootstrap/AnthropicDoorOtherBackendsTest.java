package ai.meridian.bootstrap;

import static ai.meridian.bootstrap.AnthropicMessagesApiTest.JSON;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.events;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.out.triton.FakeTritonServer;
import ai.meridian.bootstrap.AnthropicMessagesApiTest.Event;
import ai.meridian.testkit.FakeQuarkSearch;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Any Meridian model answers through the Anthropic door: a Triton model over gRPC (tool calls from its hermes parser as
 * {@code tool_use} blocks, whole and streamed, and the tool result back), and the extractive answerer grounded in web
 * search (no model at all), with its sources as citations.
 */
class AnthropicDoorOtherBackendsTest {
    private static final String TOOLS = "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
            + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]";
    private static FakeTritonServer qwen;
    private static FakeQuarkSearch quark;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        qwen = FakeTritonServer.startHermesToolModel("vllm", "qwen_tools");
        quark = FakeQuarkSearch.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("qwen", Map.of("type", "triton", "endpoints", List.of(qwen.endpoint()), "model", qwen.model(),
                        "convention", "vllm", "chat-template", "chatml", "tool-calling", "hermes")),
                "models", List.of(
                        Map.of("id", "qwen-tools", "routes", List.of(TestGateway.route("qwen", qwen.model()))),
                        Map.of("id", "offline-extractive", "routes", List.of(TestGateway.route("extractive", "extractive")),
                                "grounding", Map.of("web-search", true))),
                "web-search", Map.of("provider", "quark", "quark", Map.of("endpoint", quark.endpoint(), "api-key", "iqs-test-key")),
                "retrieval", Map.of("web-timeout", "1s", "fetch-timeout", "1s"),
                "anthropic", Map.of("model-mapping", List.of(Map.of("from", "claude-*", "to", "qwen-tools")))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        qwen.close();
        quark.close();
    }

    @Test
    void aTritonModelCallsToolsThroughTheAnthropicDoor() throws Exception {
        HttpResponse<String> first = messages(gateway, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":200," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Lisbon\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(first.body());
        assertThat(answer.get("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(answer.get("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode call = answer.get("content").get(answer.get("content").size() - 1);
        assertThat(call.get("type").asText()).isEqualTo("tool_use");
        assertThat(call.get("name").asText()).isEqualTo("get_weather");
        assertThat(call.at("/input/city").asText()).isEqualTo("Lisbon");

        HttpResponse<String> second = messages(gateway, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":200," + TOOLS + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Lisbon\"},{\"role\":\"assistant\",\"content\":" + answer.get("content") + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + call.get("id").asText()
                + "\",\"content\":\"21 degrees, sunny\"}]}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(JSON.readTree(second.body()).get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(JSON.readTree(second.body()).at("/content/0/text").asText()).isEqualTo("The tool says: 21 degrees, sunny");

        HttpResponse<String> streamed = messages(gateway, "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":200,\"stream\":true," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Paris\"}]}");
        List<Event> events = events(streamed.body());
        Event toolStart = events.stream().filter(e -> e.data().at("/content_block/type").asText().equals("tool_use")).findFirst().orElseThrow();
        assertThat(toolStart.data().at("/content_block/name").asText()).isEqualTo("get_weather");
        String input = events.stream().filter(e -> e.data().at("/delta/type").asText().equals("input_json_delta"))
                .map(e -> e.data().at("/delta/partial_json").asText()).reduce("", String::concat);
        assertThat(JSON.readTree(input).get("city").asText()).isEqualTo("Paris");
        assertThat(events.get(events.size() - 2).data().at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void theExtractiveAnswererAnswersThroughTheAnthropicDoorWithCitations() throws Exception {
        HttpResponse<String> response = messages(gateway, """
                {"model":"offline-extractive","max_tokens":200,"messages":[{"role":"user","content":"What is the Meridian gateway?"}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.at("/content/0/text").asText()).contains("Meridian is a self-hosted AI gateway that grounds answers in web search. [1]");
        assertThat(answer.at("/content/0/citations/0/url").asText()).isEqualTo("https://meridian.example/docs");
        assertThat(response.headers().firstValue("x-meridian-backend")).contains("extractive");
    }
}
