package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The response cache through every door: Anthropic's Messages, OpenAI's Responses, the legacy Completions and the
 * WebSocket door. Each door's second identical request is a hit (no upstream call), replayed in that protocol's stream
 * shape when the client streams, with the cache headers (the WebSocket door: the start frame's {@code cache}); the
 * {@code cache} body option is the gateway's on every door and never reaches the upstream.
 */
class ResponseCacheDoorsTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("Cached", " through", " every door."));
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))));
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

    private static String cache(HttpResponse<String> response) {
        String outcome = response.headers().firstValue("x-meridian-cache").orElse("");
        return outcome.equals("hit") ? "hit " + response.headers().firstValue("x-meridian-cache-level").orElse("") : outcome;
    }

    private static HttpResponse<String> ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    /** An SSE body as (event name or "", data) pairs. */
    private static List<String[]> events(String body) {
        List<String[]> events = new ArrayList<>();
        String name = "";
        for (String line : body.split("\n")) {
            if (line.startsWith("event: ")) {
                name = line.substring(7).trim();
            } else if (line.startsWith("data: ")) {
                events.add(new String[] {name, line.substring(6)});
                name = "";
            }
        }
        return events;
    }

    private static JsonNode json(String text) throws Exception {
        return Admin.JSON.readTree(text);
    }

    @Test
    void anthropicMessagesAreCachedAndReplayedAsNamedEvents() throws Exception {
        String body = "{\"model\":\"chat\",\"max_tokens\":100,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Anthropic door?\"}]";
        String[] auth = {"authorization", null, "x-api-key", TestGateway.KEY, "anthropic-version", "2023-06-01"};
        HttpResponse<String> first = ok(gateway.post("/v1/messages", body + "}", auth));
        assertThat(cache(first)).isEqualTo("miss");
        HttpResponse<String> whole = ok(gateway.post("/v1/messages", body + "}", auth));
        assertThat(cache(whole)).isEqualTo("hit l1");
        assertThat(json(whole.body()).at("/content/0/text").asText()).isEqualTo("Cached through every door.");
        assertThat(json(whole.body()).at("/usage/output_tokens").asInt()).isEqualTo(json(first.body()).at("/usage/output_tokens").asInt());

        HttpResponse<String> streamed = ok(gateway.post("/v1/messages", body + ",\"stream\":true}", auth));
        assertThat(cache(streamed)).isEqualTo("hit l1");
        StringBuilder text = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (String[] event : events(streamed.body())) {
            names.add(event[0]);
            if (event[0].equals("content_block_delta")) {
                text.append(json(event[1]).at("/delta/text").asText());
            }
        }
        assertThat(names).startsWith("message_start").endsWith("message_stop").contains("content_block_delta", "message_delta");
        assertThat(text.toString()).isEqualTo("Cached through every door.");
        assertThat(upstream.requests()).hasSize(1);

        assertThat(cache(ok(gateway.post("/v1/messages", body + ",\"cache\":\"bypass\"}", auth)))).isEqualTo("bypass");
        assertThat(upstream.requests()).hasSize(2).noneMatch(r -> r.body().contains("\"cache\""));
    }

    @Test
    void responsesAreCachedAndReplayedAsResponseEvents() throws Exception {
        String body = "{\"model\":\"chat\",\"temperature\":0,\"input\":\"Responses door?\",\"store\":false";
        HttpResponse<String> first = ok(gateway.post("/v1/responses", body + "}"));
        assertThat(cache(first)).isEqualTo("miss");
        HttpResponse<String> whole = ok(gateway.post("/v1/responses", body + "}"));
        assertThat(cache(whole)).isEqualTo("hit l1");
        assertThat(json(whole.body()).at("/output/0/content/0/text").asText()).isEqualTo("Cached through every door.");

        HttpResponse<String> streamed = ok(gateway.post("/v1/responses", body + ",\"stream\":true}"));
        assertThat(cache(streamed)).isEqualTo("hit l1");
        StringBuilder text = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (String[] event : events(streamed.body())) {
            names.add(event[0]);
            if (event[0].equals("response.output_text.delta")) {
                text.append(json(event[1]).get("delta").asText());
            }
        }
        assertThat(names).startsWith("response.created").endsWith("response.completed");
        assertThat(text.toString()).isEqualTo("Cached through every door.");
        assertThat(upstream.requests()).hasSize(1);
        assertThat(cache(ok(gateway.post("/v1/responses", body + ",\"cache\":false}")))).isEqualTo("bypass");
        assertThat(upstream.requests()).noneMatch(r -> r.body().contains("\"cache\""));
    }

    @Test
    void textCompletionsAreCachedApartFromChatAndReplayedAsTextCompletionChunks() throws Exception {
        String body = "{\"model\":\"chat\",\"temperature\":0,\"prompt\":\"Completions door?\"";
        HttpResponse<String> first = ok(gateway.post("/v1/completions", body + "}"));
        assertThat(cache(first)).isEqualTo("miss");
        HttpResponse<String> whole = ok(gateway.post("/v1/completions", body + "}"));
        assertThat(cache(whole)).isEqualTo("hit l1");
        assertThat(json(whole.body()).at("/choices/0/text").asText()).isEqualTo("Cached through every door.");

        HttpResponse<String> streamed = ok(gateway.post("/v1/completions", body + ",\"stream\":true}"));
        assertThat(cache(streamed)).isEqualTo("hit l1");
        StringBuilder text = new StringBuilder();
        List<String[]> events = events(streamed.body());
        assertThat(events.get(events.size() - 1)[1]).isEqualTo("[DONE]");
        for (String[] event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = json(event[1]);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            text.append(chunk.at("/choices/0/text").asText(""));
        }
        assertThat(text.toString()).isEqualTo("Cached through every door.");
        assertThat(upstream.requests()).hasSize(1);

        // the same text as a chat message is another request (chat template vs raw continuation): its own entry
        HttpResponse<String> chat = ok(gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Completions door?\"}]}"));
        assertThat(cache(chat)).isEqualTo("miss");
        assertThat(upstream.requests()).hasSize(2);
    }

    @Test
    void theWebSocketDoorReplaysAHitAsItsFramesAndSaysSoInTheStartFrame() throws Exception {
        String request = "{\"type\":\"request\",\"id\":\"%s\",\"body\":{\"model\":\"chat\",\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"WebSocket door?\"}]}}";
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            ws.send(String.format(request, "w1"));
            List<JsonNode> first = ws.until("w1");
            assertThat(first.get(0).at("/cache/status").asText()).isEqualTo("miss");
            ws.send(String.format(request, "w2"));
            List<JsonNode> second = ws.until("w2");
            assertThat(second.get(0).path("type").asText()).isEqualTo("start");
            assertThat(second.get(0).at("/cache/status").asText()).isEqualTo("hit");
            assertThat(second.get(0).at("/cache/level").asText()).isEqualTo("l1");
            assertThat(second.get(0).at("/cache/key").asText()).isEqualTo(first.get(0).at("/cache/key").asText());
            assertThat(second.get(0).path("backend").asText()).isEqualTo("cache");
            assertThat(WsClient.text(second)).isEqualTo("Cached through every door.");
            JsonNode last = second.get(second.size() - 1);
            assertThat(last.path("type").asText()).isEqualTo("final");
            assertThat(last.at("/finish_reasons/0").asText()).isEqualTo("stop");
            assertThat(last.at("/usage/total_tokens").asInt()).isEqualTo(first.get(first.size() - 1).at("/usage/total_tokens").asInt());
        }
        assertThat(upstream.requests()).hasSize(1);
    }
}
