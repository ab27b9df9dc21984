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
        HttpResponse<String> response = messages(gateway, """
                {"model":"claude-sonnet-4-5-20250929","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}""");
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
