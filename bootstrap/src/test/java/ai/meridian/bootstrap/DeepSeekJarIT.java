package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeDeepSeekApi;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero configuration with {@code DEEPSEEK_API_KEY}: the jar as a process against a loopback server speaking DeepSeek's
 * wire format (models list, thinking mode, reasoning_content, cache usage fields, tool calls in thinking mode).
 */
class DeepSeekJarIT {
    private static final String KEY = "sk-deepseek-test";
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private HttpResponse<String> post(GatewayProcess gateway, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer sk-master")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(GatewayProcess gateway, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + path))
                .header("authorization", "Bearer sk-master").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }

    private List<JsonNode> chunks(String sse) throws Exception {
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data: {")) {
                chunks.add(json.readTree(line.substring(6)));
            }
        }
        return chunks;
    }

    private static String text(List<JsonNode> chunks, String field) {
        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> text.append(c.at("/choices/0/delta/" + field).asText("")));
        return text.toString();
    }

    @Test
    void theModelsDeepSeekListsAreOfferedAndThinkingSwitchesOnThem(@TempDir Path dir) throws Exception {
        try (FakeDeepSeekApi deepseek = FakeDeepSeekApi.start(KEY, List.of("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v4-flash-0731"));
             GatewayProcess gateway = GatewayProcess.start(dir, Map.of("DEEPSEEK_API_KEY", KEY, "DEEPSEEK_BASE_URL", deepseek.baseUrl(),
                     "MERIDIAN_MASTER_KEY", "sk-master"))) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            assertThat(gateway.log()).contains("DeepSeek models from DeepSeek's model list");

            JsonNode models = get(gateway, "/v1/models");
            List<String> ids = new ArrayList<>();
            models.path("data").forEach(m -> ids.add(m.path("id").asText()));
            assertThat(ids).containsExactly("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v4-flash-0731", "deepseek-chat", "deepseek-reasoner");
            JsonNode flash = get(gateway, "/v1/models/deepseek-v4-flash").path("capabilities");
            assertThat(flash.path("tools").asBoolean()).isTrue();
            assertThat(flash.path("reasoning").asBoolean()).isTrue();
            assertThat(flash.path("vision").asBoolean(true)).isFalse();
            assertThat(flash.path("context_window").asInt()).isEqualTo(1048576);
            assertThat(flash.path("max_output_tokens").asInt()).isEqualTo(393216);
            assertThat(flash.path("text_completion").asBoolean(true)).as("DeepSeek serves /completions on its beta URL only").isFalse();
            assertThat(get(gateway, "/v1/models/deepseek-v4-flash-0731").path("capabilities").toString())
                    .as("listed, nothing declared: only what the backend does").isEqualTo("{\"text_completion\":false}");

            // Thinking is on by default on V4: reasoning_content streams first, then the answer; DeepSeek's usage fields arrive.
            HttpResponse<String> thinking = post(gateway, "{\"model\":\"deepseek-v4-flash\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
            assertThat(thinking.statusCode()).as(thinking.body()).isEqualTo(200);
            List<JsonNode> chunks = chunks(thinking.body());
            assertThat(text(chunks, "reasoning_content")).isEqualTo("The user greets me; I greet back.");
            assertThat(text(chunks, "content")).isEqualTo("Hello from DeepSeek.");
            JsonNode usage = chunks.get(chunks.size() - 1).path("usage");
            assertThat(usage.path("prompt_cache_hit_tokens").isInt()).isTrue();
            assertThat(usage.path("prompt_cache_miss_tokens").isInt()).isTrue();
            assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).as("the fake counts words").isEqualTo(7);
            assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(usage.path("prompt_cache_hit_tokens").asInt());

            // The thinking switch is passed through: off, no reasoning.
            HttpResponse<String> quick = post(gateway, "{\"model\":\"deepseek-v4-pro\",\"thinking\":{\"type\":\"disabled\"},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
            assertThat(quick.statusCode()).as(quick.body()).isEqualTo(200);
            JsonNode answer = json.readTree(quick.body());
            assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello from DeepSeek.");
            assertThat(answer.at("/choices/0/message/reasoning_content").asText("")).isEmpty();
            assertThat(deepseek.chatBodies().get(1)).contains("\"thinking\":{\"type\":\"disabled\"}").contains("\"model\":\"deepseek-v4-pro\"");
            assertThat(answer.at("/usage/prompt_cache_hit_tokens").isInt()).isTrue();
        }
    }

    @Test
    void toolCallsInThinkingModeNeedTheirReasoningBack(@TempDir Path dir) throws Exception {
        try (FakeDeepSeekApi deepseek = FakeDeepSeekApi.start(KEY, List.of("deepseek-v4-flash", "deepseek-v4-pro"));
             GatewayProcess gateway = GatewayProcess.start(dir, Map.of("DEEPSEEK_API_KEY", KEY, "DEEPSEEK_BASE_URL", deepseek.baseUrl(),
                     "MERIDIAN_MASTER_KEY", "sk-master"))) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            HttpResponse<String> first = post(gateway, "{\"model\":\"deepseek-v4-flash\",\"stream\":true,\"tools\":" + TOOLS
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"Paris\"}]}");
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            List<JsonNode> chunks = chunks(first.body());
            String reasoning = text(chunks, "reasoning_content");
            assertThat(reasoning).isNotEmpty();
            StringBuilder arguments = new StringBuilder();
            String id = null;
            for (JsonNode chunk : chunks) {
                for (JsonNode call : chunk.at("/choices/0/delta/tool_calls")) {
                    if (call.has("id")) {
                        id = call.path("id").asText();
                    }
                    arguments.append(call.at("/function/arguments").asText(""));
                }
            }
            assertThat(id).startsWith("call_");
            assertThat(arguments).hasToString("{\"city\":\"Paris\"}");
            assertThat(first.body()).contains("\"finish_reason\":\"tool_calls\"");

            String call = "{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
                    + json.writeValueAsString(arguments.toString()) + "}}";
            String withReasoning = "{\"model\":\"deepseek-v4-flash\",\"tools\":" + TOOLS + ",\"messages\":[{\"role\":\"user\",\"content\":\"Paris\"},"
                    + "{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":" + json.writeValueAsString(reasoning) + ",\"tool_calls\":[" + call + "]},"
                    + "{\"role\":\"tool\",\"tool_call_id\":\"" + id + "\",\"content\":\"18 degrees\"}]}";
            HttpResponse<String> second = post(gateway, withReasoning);
            assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
            assertThat(json.readTree(second.body()).at("/choices/0/message/content").asText()).isEqualTo("Tool result: 18 degrees");
            assertThat(deepseek.chatBodies().get(1)).contains("\"reasoning_content\":" + json.writeValueAsString(reasoning));

            HttpResponse<String> forgot = post(gateway, withReasoning.replace(",\"reasoning_content\":" + json.writeValueAsString(reasoning), ""));
            assertThat(forgot.statusCode()).isEqualTo(400);
            assertThat(json.readTree(forgot.body()).at("/error/message").asText()).contains(FakeDeepSeekApi.REASONING_MUST_COME_BACK);
        }
    }

    @Test
    void withoutDeepSeeksListTheBuiltInModelsAreOfferedAndTheUrlIsReported(@TempDir Path dir) throws Exception {
        try (FakeDeepSeekApi deepseek = FakeDeepSeekApi.start(KEY, List.of("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v9"))) {
            deepseek.listingFails(true);
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of("DEEPSEEK_API_KEY", KEY, "DEEPSEEK_BASE_URL", deepseek.baseUrl(),
                    "MERIDIAN_MASTER_KEY", "sk-master"))) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
                List<String> ids = new ArrayList<>();
                get(gateway, "/v1/models").path("data").forEach(m -> ids.add(m.path("id").asText()));
                assertThat(ids).containsExactly("deepseek-v4-flash", "deepseek-v4-pro", "deepseek-chat", "deepseek-reasoner");
                assertThat(gateway.log()).contains("cannot read the model list at " + deepseek.baseUrl() + "/models")
                        .contains("offering the built-in DeepSeek models");
                HttpResponse<String> answer = post(gateway, "{\"model\":\"deepseek-chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            }
        }
    }
}
