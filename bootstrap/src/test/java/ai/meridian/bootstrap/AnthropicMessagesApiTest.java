package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anthropic's Messages API served by an OpenAI-compatible upstream: the request reaches the upstream in the domain's
 * (OpenAI's) terms and the answer comes back in Anthropic's, whole and streamed as named events, with tool use,
 * thinking, stop sequences, usage, the model-name mapping, count_tokens, keys by x-api-key and errors in Anthropic's
 * shape.
 */
class AnthropicMessagesApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "aliases", List.of("local-coder"), "routes", List.of(TestGateway.route("up", "m-2026")),
                "retry", Map.of("max-attempts", 1))));
        meridian.put("anthropic", Map.of("model-mapping", List.of(Map.of("from", "claude-*", "to", "local-coder")), "ping-interval", "200ms"));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    static HttpResponse<String> messages(TestGateway gateway, String body) {
        return gateway.post("/v1/messages", body, "authorization", null, "x-api-key", TestGateway.KEY, "anthropic-version", "2023-06-01");
    }

    @Test
    void aPlainMessageIsAnsweredInAnthropicsShape() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("Hello", " there"));
        HttpResponse<String> response = messages(gateway, """
                {"model":"chat","max_tokens":100,"system":"Be brief.","temperature":0.2,"top_k":5,
                 "metadata":{"user_id":"u-1"},"messages":[{"role":"user","content":"Say hello"}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode message = JSON.readTree(response.body());
        assertThat(message.get("id").asText()).startsWith("msg_");
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.get("model").asText()).isEqualTo("chat");
        assertThat(message.get("content")).hasSize(1);
        assertThat(message.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo("Hello there");
        assertThat(message.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.get("stop_sequence").isNull()).isTrue();
        assertThat(message.at("/usage/input_tokens").asInt()).isEqualTo(11);
        assertThat(message.at("/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(message.at("/usage/cache_read_input_tokens").asInt()).isZero();
        assertThat(response.headers().firstValue("request-id")).isPresent();
        assertThat(response.headers().firstValue("x-meridian-backend")).contains("up");

        JsonNode sent = JSON.readTree(upstream.requests().get(0).body());
        assertThat(sent.get("model").asText()).isEqualTo("m-2026");
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(sent.at("/messages/0/content").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/messages/1/content").asText()).isEqualTo("Say hello");
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(100);
        assertThat(sent.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(sent.get("top_k").asInt()).isEqualTo(5);
        assertThat(sent.get("user").asText()).isEqualTo("u-1");
    }

    @Test
    void claudeModelNamesAreMappedToAConfiguredModelAndEchoed() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("ok"));
        // As Claude Code sends it: the beta Messages API (?beta=true) with its betas in a header.
        HttpResponse<String> response = gateway.post("/v1/messages?beta=true", """
                {"model":"claude-sonnet-4-5-20250929","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""",
                "authorization", "Bearer " + TestGateway.KEY, "anthropic-version", "2023-06-01",
                "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(JSON.readTree(upstream.requests().get(0).body()).get("model").asText()).isEqualTo("m-2026");
    }

    @Test
    void aStreamIsAnthropicsNamedEventsInOrder() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("Hel", "lo"));
        HttpResponse<String> response = messages(gateway, """
                {"model":"chat","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
        List<Event> events = events(response.body());
        assertThat(events).extracting(Event::name).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        for (Event e : events) {
            assertThat(e.data().get("type").asText()).isEqualTo(e.name());
        }
        assertThat(events.get(0).data().at("/message/model").asText()).isEqualTo("chat");
        assertThat(events.get(2).data().at("/content_block/type").asText()).isEqualTo("text");
        assertThat(events.get(3).data().at("/delta/type").asText()).isEqualTo("text_delta");
        assertThat(events.get(3).data().at("/delta/text").asText() + events.get(4).data().at("/delta/text").asText()).isEqualTo("Hello");
        assertThat(events.get(6).data().at("/delta/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(events.get(6).data().at("/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(events.get(6).data().at("/usage/input_tokens").asInt()).isEqualTo(11);
    }

    @Test
    void aLongStreamIsKeptAliveWithPings() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("a", "b").withPauseBeforeLast(Duration.ofMillis(700)));
        HttpResponse<String> response = messages(gateway, """
                {"model":"chat","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        long pings = events(response.body()).stream().filter(e -> e.name().equals("ping")).count();
        assertThat(pings).as("one after message_start, then every 200 ms").isGreaterThanOrEqualTo(3);
    }

    static final String TOOL_CALL_ANSWER = """
            {"id":"c1","object":"chat.completion","created":1,"model":"m-2026","choices":[{"index":0,"message":{"role":"assistant",
             "content":null,"reasoning_content":"Needs the weather tool.","tool_calls":[{"id":"call_1","type":"function",
             "function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},"finish_reason":"tool_calls"}],
             "usage":{"prompt_tokens":50,"completion_tokens":9,"total_tokens":59,"prompt_tokens_details":{"cached_tokens":32}}}""";

    static final String TOOLS = """
            "tools":[{"name":"get_weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},
                      "cache_control":{"type":"ephemeral"}}]""";

    @Test
    void aToolUseLoopTravelsBothWays() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(TOOL_CALL_ANSWER, null));
        HttpResponse<String> first = messages(gateway, "{\"model\":\"chat\",\"max_tokens\":200," + TOOLS
                + ",\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(first.body());
        assertThat(answer.get("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(answer.at("/content/0/type").asText()).isEqualTo("thinking");
        assertThat(answer.at("/content/0/thinking").asText()).isEqualTo("Needs the weather tool.");
        assertThat(answer.at("/content/0/signature").asText()).isEmpty();
        assertThat(answer.at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(answer.at("/content/1/id").asText()).isEqualTo("call_1");
        assertThat(answer.at("/content/1/name").asText()).isEqualTo("get_weather");
        assertThat(answer.at("/content/1/input/city").asText()).isEqualTo("Paris");
        assertThat(answer.at("/usage/input_tokens").asInt()).as("prompt less cached").isEqualTo(18);
        assertThat(answer.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(32);
        JsonNode sentFirst = JSON.readTree(upstream.requests().get(0).body());
        assertThat(sentFirst.at("/tools/0/type").asText()).isEqualTo("function");
        assertThat(sentFirst.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(sentFirst.at("/tools/0/function/parameters/required/0").asText()).isEqualTo("city");
        assertThat(sentFirst.at("/tools/0/cache_control/type").asText()).isEqualTo("ephemeral");
        assertThat(sentFirst.get("tool_choice").asText()).isEqualTo("required");
        assertThat(sentFirst.get("parallel_tool_calls").asBoolean()).isFalse();

        upstream.enqueue(UpstreamBehavior.answer("18C and sunny."));
        HttpResponse<String> second = messages(gateway, "{\"model\":\"chat\",\"max_tokens\":200," + TOOLS + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":" + answer.get("content") + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":[{\"type\":\"text\",\"text\":\"18C\"}]},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"call_0\",\"content\":\"boom\",\"is_error\":true},"
                + "{\"type\":\"text\",\"text\":\"Thanks\"}]}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(JSON.readTree(second.body()).at("/content/0/text").asText()).isEqualTo("18C and sunny.");
        JsonNode sent = JSON.readTree(upstream.requests().get(1).body()).get("messages");
        assertThat(sent.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(sent.get(1).get("content").isNull()).isTrue();
        assertThat(sent.get(1).get("reasoning_content").asText()).isEqualTo("Needs the weather tool.");
        assertThat(sent.get(1).at("/tool_calls/0/id").asText()).isEqualTo("call_1");
        assertThat(JSON.readTree(sent.get(1).at("/tool_calls/0/function/arguments").asText()).get("city").asText()).isEqualTo("Paris");
        assertThat(sent.get(2).get("role").asText()).isEqualTo("tool");
        assertThat(sent.get(2).get("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(sent.get(2).at("/content/0/text").asText()).isEqualTo("18C");
        assertThat(sent.get(3).get("tool_call_id").asText()).isEqualTo("call_0");
        assertThat(sent.get(3).get("is_error").asBoolean()).isTrue();
        assertThat(sent.get(4).get("role").asText()).isEqualTo("user");
        assertThat(sent.get(4).at("/content/0/text").asText()).isEqualTo("Thanks");
    }

    @Test
    void aStreamedToolCallIsAToolUseBlockWithInputJsonDeltas() throws Exception {
        String head = "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":";
        upstream.enqueue(UpstreamBehavior.verbatim(null, List.of(
                head + "{\"role\":\"assistant\",\"reasoning_content\":\"Think.\"},\"finish_reason\":null}]}",
                head + "{\"content\":\"Checking.\"},\"finish_reason\":null}]}",
                head + "{\"tool_calls\":[{\"index\":0,\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
                head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}",
                head + "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}",
                head + "{},\"finish_reason\":\"tool_calls\"}]}")));
        HttpResponse<String> response = messages(gateway, "{\"model\":\"chat\",\"max_tokens\":200,\"stream\":true," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather?\"}]}");
        List<Event> events = events(response.body());
        assertThat(events).extracting(Event::name).containsExactly("message_start", "ping",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(events.get(2).data().at("/content_block/type").asText()).isEqualTo("thinking");
        assertThat(events.get(3).data().at("/delta/type").asText()).isEqualTo("thinking_delta");
        assertThat(events.get(5).data().at("/content_block/type").asText()).isEqualTo("text");
        assertThat(events.get(8).data().at("/index").asInt()).isEqualTo(2);
        assertThat(events.get(8).data().at("/content_block/type").asText()).isEqualTo("tool_use");
        assertThat(events.get(8).data().at("/content_block/id").asText()).isEqualTo("call_7");
        assertThat(events.get(8).data().at("/content_block/name").asText()).isEqualTo("get_weather");
        assertThat(events.get(9).data().at("/delta/type").asText()).isEqualTo("input_json_delta");
        assertThat(events.get(9).data().at("/delta/partial_json").asText() + events.get(10).data().at("/delta/partial_json").asText())
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(events.get(12).data().at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void thinkingIsForwardedAndTheStopSequenceTheBackendMatchedIsReported() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim("""
                {"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"one, two"},
                 "finish_reason":"stop","stop_reason":"###"}],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}""", null));
        HttpResponse<String> response = messages(gateway, """
                {"model":"chat","max_tokens":2048,"thinking":{"type":"enabled","budget_tokens":1024},"stop_sequences":["###","END"],
                 "messages":[{"role":"user","content":"count"}]}""");
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("stop_reason").asText()).isEqualTo("stop_sequence");
        assertThat(answer.get("stop_sequence").asText()).isEqualTo("###");
        JsonNode sent = JSON.readTree(upstream.requests().get(0).body());
        assertThat(sent.at("/thinking/type").asText()).isEqualTo("enabled");
        assertThat(sent.at("/thinking/budget_tokens").asInt()).isEqualTo(1024);
        assertThat(sent.get("stop")).extracting(JsonNode::asText).containsExactly("###", "END");
    }

    @Test
    void countTokensCountsThePromptWithTheGatewaysTokenizer() throws Exception {
        HttpResponse<String> small = gateway.post("/v1/messages/count_tokens", """
                {"model":"claude-3-5-haiku-latest","messages":[{"role":"user","content":"Hello"}]}""", "authorization", null, "x-api-key", TestGateway.KEY);
        assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
        int hello = JSON.readTree(small.body()).get("input_tokens").asInt();
        assertThat(hello).isPositive();
        HttpResponse<String> bigger = gateway.post("/v1/messages/count_tokens", "{\"model\":\"chat\",\"system\":\"You are a helpful assistant.\"," + TOOLS
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}");
        assertThat(JSON.readTree(bigger.body()).get("input_tokens").asInt()).isGreaterThan(hello + 10);
        assertThat(upstream.requests()).as("counting calls no model").isEmpty();
    }

    @Test
    void keysComeFromXApiKeyOrBearerAndErrorsAreAnthropicShaped() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("ok"));
        assertThat(gateway.post("/v1/messages", "{\"model\":\"chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .statusCode()).as("Bearer").isEqualTo(200);
        String body = "{\"model\":\"chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertAnthropicError(gateway.post("/v1/messages", body, "authorization", null), 401, "authentication_error");
        assertAnthropicError(gateway.post("/v1/messages", body, "authorization", null, "x-api-key", "sk-wrong"), 401, "authentication_error");
        assertAnthropicError(messages(gateway, "{\"model\":\"nope\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                404, "not_found_error");
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void anUpstreamThatKeepsFailingIsOverloadedAndAStreamCutAfterItBeganEndsWithAnErrorEvent() throws Exception {
        upstream.enqueue(UpstreamBehavior.status(503, "down"));
        HttpResponse<String> failed = messages(gateway, "{\"model\":\"chat\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertAnthropicError(failed, 529, "overloaded_error");

        upstream.enqueue(UpstreamBehavior.answer("one", " two", " three").cutAfter(1));
        HttpResponse<String> cut = messages(gateway, "{\"model\":\"chat\",\"max_tokens\":5,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(cut.statusCode()).isEqualTo(200);
        List<Event> events = events(cut.body());
        assertThat(events.get(events.size() - 1).name()).isEqualTo("error");
        assertThat(events.get(events.size() - 1).data().at("/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(events).extracting(Event::name).doesNotContain("message_stop");
        assertThat(events.stream().filter(e -> e.name().equals("content_block_delta")).findFirst().orElseThrow().data().at("/delta/text").asText())
                .isEqualTo("one");
    }

    @Test
    void aClientThatLeavesInTheMiddleOfAStreamCancelsTheUpstreamCall() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("first", " never").withPauseBeforeLast(Duration.ofSeconds(5)));
        int before = upstream.clientDisconnects();
        String body = "{\"model\":\"chat\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)))) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + TestGateway.KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (received.indexOf("text_delta") < 0) {
                int n = socket.getInputStream().read(buffer);
                assertThat(n).as("the stream began").isPositive();
                received.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(received.toString()).contains("event: message_start").contains("\"text\":\"first\"");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        while (upstream.clientDisconnects() == before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(upstream.clientDisconnects()).as("the upstream call was cancelled").isGreaterThan(before);
    }

    @Test
    void aMappingToAModelThatDoesNotExistStopsStartUpNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestGateway.start(Map.of(
                        "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("extractive", "extractive")))),
                        "anthropic", Map.of("model-mapping", List.of(Map.of("from", "claude-*", "to", "nope"))))))
                .satisfies(e -> {
                    Throwable root = e;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    assertThat(root.getMessage()).contains("meridian.anthropic.model-mapping[0].to 'nope'");
                });
    }

    @Test
    void keysRolesAndRateLimitsOfTheCoreApplyThroughTheAnthropicDoor() throws Exception {
        Admin admin = new Admin(gateway);
        String[] limited = admin.key("default", "\"limits\":{\"requests_per_minute\":2,\"tokens_per_minute\":100000}");
        String body = "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        upstream.enqueue(UpstreamBehavior.answer("one"), UpstreamBehavior.answer("two"));
        HttpResponse<String> first = gateway.post("/v1/messages", body, "authorization", null, "x-api-key", limited[1]);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.headers().firstValue("anthropic-ratelimit-requests-limit")).contains("2");
        assertThat(first.headers().firstValue("anthropic-ratelimit-requests-remaining")).contains("1");
        assertThat(first.headers().firstValue("anthropic-ratelimit-requests-reset")).hasValueSatisfying(v -> java.time.Instant.parse(v));
        assertThat(first.headers().firstValue("anthropic-ratelimit-tokens-limit")).contains("100000");
        HttpResponse<String> streamed = gateway.post("/v1/messages", body.replaceFirst("\\{", "{\"stream\":true,"), "authorization", null,
                "x-api-key", limited[1]);
        assertThat(streamed.headers().firstValue("anthropic-ratelimit-requests-remaining")).contains("0");
        HttpResponse<String> refused = gateway.post("/v1/messages", body, "authorization", null, "x-api-key", limited[1]);
        assertAnthropicError(refused, 429, "rate_limit_error");
        assertThat(refused.headers().firstValue("retry-after")).isPresent();
        assertThat(refused.headers().firstValue("anthropic-ratelimit-requests-remaining")).contains("0");
        assertThat(upstream.requests()).as("a refused request never reaches a backend").hasSize(2);

        String[] reader = admin.key("default", "\"role\":\"reader\"");
        assertAnthropicError(gateway.post("/v1/messages", body, "authorization", null, "x-api-key", reader[1]), 403, "permission_error");
        assertAnthropicError(gateway.post("/v1/messages/count_tokens", body, "authorization", null, "x-api-key", reader[1]), 403,
                "permission_error");
        String[] narrow = admin.key("default", "\"allowed_models\":[\"other\"]");
        assertAnthropicError(gateway.post("/v1/messages", body, "authorization", null, "x-api-key", narrow[1]), 403, "permission_error");
        assertAnthropicError(gateway.post("/v1/messages", body, "authorization", "Bearer " + TestGateway.KEY, "x-api-key", limited[1]), 401,
                "authentication_error");
    }

    static void assertAnthropicError(HttpResponse<String> response, int status, String type) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.fieldNames()).toIterable().containsExactly("type", "error");
        assertThat(body.get("type").asText()).isEqualTo("error");
        assertThat(body.get("error").fieldNames()).toIterable().containsExactly("type", "message");
        assertThat(body.at("/error/type").asText()).isEqualTo(type);
        assertThat(body.at("/error/message").asText()).isNotBlank();
    }

    /** One server-sent event: its name and its data. */
    record Event(String name, JsonNode data) {
    }

    static List<Event> events(String body) throws Exception {
        List<Event> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) {
                continue;
            }
            String name = null;
            StringBuilder data = new StringBuilder();
            for (String line : block.split("\n")) {
                if (line.startsWith("event: ")) {
                    name = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
            events.add(new Event(name, JSON.readTree(data.toString())));
        }
        return events;
    }
}
