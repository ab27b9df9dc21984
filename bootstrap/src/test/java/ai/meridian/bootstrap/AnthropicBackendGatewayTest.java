package ai.meridian.bootstrap;

import static ai.meridian.bootstrap.AnthropicMessagesApiTest.JSON;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.assertAnthropicError;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.events;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.messages;
import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.bootstrap.AnthropicMessagesApiTest.Event;
import ai.meridian.testkit.FakeAnthropicUpstream;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole gateway with a {@code type: anthropic} backend on a loopback server speaking Anthropic's wire format, and
 * the core's policy reached through the Anthropic door: either door in front of the Anthropic backend, signed thinking
 * kept through a tool loop, 529 and error events falling back to the next tier unseen, grounding with citations,
 * conversations, and the core's route checks refusing what no route can take.
 */
class AnthropicBackendGatewayTest {
    private static final String SIGNED = "{\"type\":\"thinking\",\"thinking\":\"Weather needs a tool.\",\"signature\":\"sig-abc\"}";
    private static FakeAnthropicUpstream claude;
    private static FakeOpenAiUpstream spare;
    private static FakeQuarkSearch quark;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        claude = FakeAnthropicUpstream.start();
        spare = FakeOpenAiUpstream.start();
        quark = FakeQuarkSearch.start();
        Map<String, Object> anthropic = new LinkedHashMap<>();
        anthropic.put("type", "anthropic");
        anthropic.put("base-url", claude.baseUrl());
        anthropic.put("api-key", "sk-ant-test");
        anthropic.put("connect-timeout", "1s");
        anthropic.put("first-token-timeout", "1s");
        anthropic.put("total-timeout", "3s");
        anthropic.put("circuit-breaker", Map.of("enabled", false));
        anthropic.put("forward-headers", List.of("anthropic-beta"));
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("claude", anthropic,
                "spare", TestGateway.openAiBackend(spare.baseUrl(), Map.of("circuit-breaker", Map.of("enabled", false)))));
        meridian.put("models", List.of(
                Map.of("id", "sonnet", "routes", List.of(TestGateway.route("claude", "claude-test")), "retry", TestGateway.fastRetry(1),
                        "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("spare", "small")), "retry", TestGateway.fastRetry(1)))),
                Map.of("id", "claude-only", "routes", List.of(TestGateway.route("claude", "claude-test")), "retry", TestGateway.fastRetry(1)),
                Map.of("id", "chat", "routes", List.of(TestGateway.route("spare", "m")), "retry", TestGateway.fastRetry(1)),
                Map.of("id", "chat-online", "base", "chat", "grounding", Map.of("web-search", true))));
        meridian.put("web-search", Map.of("provider", "quark", "quark", Map.of("endpoint", quark.endpoint(), "api-key", "iqs-test-key")));
        meridian.put("retrieval", Map.of("web-timeout", "1s", "fetch-timeout", "1s"));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        claude.close();
        spare.close();
        quark.close();
    }

    @BeforeEach
    void reset() {
        claude.reset();
        spare.reset();
    }

    @Test
    void theOpenAiDoorIsServedByAnAnthropicBackendWholeAndStreamed() throws Exception {
        claude.enqueue(UpstreamBehavior.answer("Hello", " from", " Claude"));
        HttpResponse<String> whole = gateway.post("/v1/chat/completions", """
                {"model":"claude-only","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}],"stop":["END"]}""");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(whole.body());
        assertThat(answer.at("/choices/0/message/content").asText()).isEqualTo("Hello from Claude");
        assertThat(answer.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(answer.at("/usage/prompt_tokens").asInt()).isEqualTo(11);
        JsonNode sent = JSON.readTree(claude.lastRequest().body());
        assertThat(claude.lastRequest().header("x-api-key")).isEqualTo("sk-ant-test");
        assertThat(sent.get("model").asText()).isEqualTo("claude-test");
        assertThat(sent.get("max_tokens").asInt()).as("the backend's default").isEqualTo(4096);
        assertThat(sent.at("/system/0/text").asText()).isEqualTo("Be brief.");
        assertThat(sent.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(sent.get("stop_sequences").get(0).asText()).isEqualTo("END");

        claude.enqueue(UpstreamBehavior.answer("Str", "eamed"));
        HttpResponse<String> streamed = gateway.post("/v1/chat/completions", TestGateway.chatBody("claude-only", true));
        assertThat(streamed.body()).contains("\"content\":\"Str\"").contains("\"content\":\"eamed\"").contains("\"finish_reason\":\"stop\"")
                .endsWith("data: [DONE]\n\n");
    }

    @Test
    void theAnthropicDoorKeepsSignedThinkingThroughAToolLoop() throws Exception {
        claude.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("claude-test", "tool_use", null,
                "{\"input_tokens\":30,\"output_tokens\":20,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":7}", SIGNED,
                "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}"), null));
        String tools = "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}]";
        HttpResponse<String> first = messages(gateway, "{\"model\":\"claude-only\",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\","
                + "\"budget_tokens\":1024}," + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(first.body());
        assertThat(answer.get("content").get(0).toString()).isEqualTo(SIGNED);
        assertThat(answer.at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(answer.get("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(answer.at("/usage/input_tokens").asInt()).isEqualTo(30);
        assertThat(answer.at("/usage/cache_read_input_tokens").asInt()).isEqualTo(100);
        assertThat(answer.at("/usage/cache_creation_input_tokens").asInt()).isEqualTo(7);
        JsonNode sentFirst = JSON.readTree(claude.lastRequest().body());
        assertThat(sentFirst.at("/thinking/budget_tokens").asInt()).isEqualTo(1024);
        assertThat(sentFirst.at("/tools/0/name").asText()).isEqualTo("get_weather");

        claude.enqueue(UpstreamBehavior.answer("18C."));
        HttpResponse<String> second = messages(gateway, "{\"model\":\"claude-only\",\"max_tokens\":2000," + tools + ",\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},{\"role\":\"assistant\",\"content\":" + answer.get("content") + "},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"18C\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        JsonNode sent = JSON.readTree(claude.lastRequest().body()).get("messages");
        assertThat(sent.get(1).get("role").asText()).isEqualTo("assistant");
        assertThat(sent.get(1).get("content").get(0).toString()).as("the signed thinking goes back first").isEqualTo(SIGNED);
        assertThat(sent.get(1).at("/content/1/type").asText()).isEqualTo("tool_use");
        assertThat(sent.get(1).at("/content/1/input/city").asText()).isEqualTo("Paris");
        assertThat(sent.get(2).at("/content/0/type").asText()).isEqualTo("tool_result");
        assertThat(sent.get(2).at("/content/0/tool_use_id").asText()).isEqualTo("toolu_1");
        assertThat(sent.get(2).at("/content/0/cache_control/type").asText()).isEqualTo("ephemeral");
    }

    @Test
    void aStreamFromAnAnthropicBackendKeepsThinkingAndItsSignature() throws Exception {
        claude.enqueue(UpstreamBehavior.verbatim(null, List.of(FakeAnthropicUpstream.messageStart("claude-test", 12),
                FakeAnthropicUpstream.blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\"}"),
                FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}"),
                FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"signature_delta\",\"signature\":\"sig-xyz\"}"),
                FakeAnthropicUpstream.blockStop(0),
                FakeAnthropicUpstream.blockStart(1, "{\"type\":\"text\",\"text\":\"\"}"),
                FakeAnthropicUpstream.textDelta(1, "Done."),
                FakeAnthropicUpstream.blockStop(1),
                FakeAnthropicUpstream.messageDelta("end_turn", null, "{\"output_tokens\":9}"),
                FakeAnthropicUpstream.messageStop())));
        HttpResponse<String> response = messages(gateway, """
                {"model":"claude-only","max_tokens":2000,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},
                 "messages":[{"role":"user","content":"hi"}]}""");
        List<Event> events = events(response.body());
        assertThat(events).extracting(Event::name).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
                "content_block_delta", "content_block_stop", "content_block_start", "content_block_delta", "content_block_stop",
                "message_delta", "message_stop");
        assertThat(events.get(3).data().at("/delta/thinking").asText()).isEqualTo("Hmm.");
        assertThat(events.get(4).data().at("/delta/type").asText()).isEqualTo("signature_delta");
        assertThat(events.get(4).data().at("/delta/signature").asText()).isEqualTo("sig-xyz");
        assertThat(events.get(7).data().at("/delta/text").asText()).isEqualTo("Done.");
        assertThat(events.get(9).data().at("/usage/input_tokens").asInt()).isEqualTo(12);
        assertThat(events.get(9).data().at("/usage/output_tokens").asInt()).isEqualTo(9);
    }

    @Test
    void anOverloadedAnthropicBackendFallsBackToTheNextTierUnseen() throws Exception {
        claude.enqueue(UpstreamBehavior.status(529, "Overloaded"));
        spare.enqueue(UpstreamBehavior.answer("from the spare"));
        HttpResponse<String> whole = messages(gateway, "{\"model\":\"sonnet\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(JSON.readTree(whole.body()).at("/content/0/text").asText()).isEqualTo("from the spare");
        assertThat(whole.headers().firstValue("x-meridian-fallback-tier")).contains("1");

        // An error event before the first token: the stream has not begun for the client, so the next tier answers it.
        claude.enqueue(UpstreamBehavior.verbatim(null, FakeAnthropicUpstream.textEvents("claude-test", List.of("never"), 0, "overloaded_error")));
        spare.enqueue(UpstreamBehavior.answer("spare", " stream"));
        HttpResponse<String> streamed = messages(gateway, "{\"model\":\"sonnet\",\"max_tokens\":50,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        List<Event> events = events(streamed.body());
        assertThat(events.get(events.size() - 1).name()).isEqualTo("message_stop");
        assertThat(streamed.body()).contains("spare").doesNotContain("never");
        assertThat(streamed.headers().firstValue("x-meridian-fallback-tier")).contains("1");
    }

    @Test
    void anErrorEventAfterTheFirstTokenReachesTheClientAsAnErrorEvent() throws Exception {
        claude.enqueue(UpstreamBehavior.verbatim(null, FakeAnthropicUpstream.textEvents("claude-test", List.of("partial", " more"), 1, "api_error")));
        HttpResponse<String> streamed = messages(gateway, "{\"model\":\"claude-only\",\"max_tokens\":50,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        List<Event> events = events(streamed.body());
        assertThat(streamed.body()).contains("partial");
        Event last = events.get(events.size() - 1);
        assertThat(last.name()).isEqualTo("error");
        assertThat(last.data().at("/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(last.data().at("/error/message").asText()).as("the message names the backend, not the upstream's internals").contains("claude").contains("failed in the middle");
    }

    @Test
    void groundedAnswersThroughTheAnthropicDoorCarryCitationsOnTheirTextBlocks() throws Exception {
        spare.enqueue(UpstreamBehavior.answer("Meridian is a gateway [1]."));
        HttpResponse<String> whole = messages(gateway, """
                {"model":"chat-online","max_tokens":100,"messages":[{"role":"user","content":"What is Meridian?"}]}""");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(whole.body());
        JsonNode citation = answer.at("/content/0/citations/0");
        assertThat(citation.get("type").asText()).isEqualTo("web_search_result_location");
        assertThat(citation.get("url").asText()).isEqualTo("https://meridian.example/docs");
        assertThat(citation.get("title").asText()).isEqualTo("Meridian gateway");
        assertThat(citation.get("cited_text").asText()).contains("Meridian is a self-hosted AI gateway");
        assertThat(answer.at("/content/0/citations")).hasSize(1);
        assertThat(answer.at("/search_results/0/url").asText()).isEqualTo("https://meridian.example/docs");
        assertThat(spare.requests().get(0).body()).contains("Meridian is a self-hosted AI gateway");

        spare.enqueue(UpstreamBehavior.answer("Meridian is a gateway [", "1].", " Also [2]"));
        HttpResponse<String> streamed = messages(gateway, """
                {"model":"chat-online","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"What is Meridian?"}]}""");
        List<Event> events = events(streamed.body());
        assertThat(events.get(0).data().at("/message/search_results/0/url").asText()).isEqualTo("https://meridian.example/docs");
        List<JsonNode> citations = events.stream().filter(e -> e.data().at("/delta/type").asText().equals("citations_delta"))
                .map(e -> e.data().at("/delta/citation")).toList();
        assertThat(citations).extracting(c -> c.get("url").asText())
                .containsExactly("https://meridian.example/docs", "https://meridian.example.cn/zh");
    }

    @Test
    void conversationsContinueThroughTheAnthropicDoor() throws Exception {
        spare.enqueue(UpstreamBehavior.answer("Lisbon."));
        HttpResponse<String> first = messages(gateway, """
                {"model":"chat","max_tokens":50,"conversation_id":"new","messages":[{"role":"user","content":"Capital of Portugal?"}]}""");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String id = JSON.readTree(first.body()).get("conversation_id").asText();
        assertThat(first.headers().firstValue("x-conversation-id")).contains(id);

        spare.enqueue(UpstreamBehavior.answer("About 550,000."));
        HttpResponse<String> second = gateway.post("/v1/messages", """
                {"model":"chat","max_tokens":50,"messages":[{"role":"user","content":"And its population?"}]}""",
                "authorization", null, "x-api-key", TestGateway.KEY, "x-conversation-id", id);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        JsonNode sent = JSON.readTree(spare.requests().get(1).body()).get("messages");
        assertThat(sent.toString()).contains("Capital of Portugal?").contains("Lisbon.").contains("And its population?");
        assertAnthropicError(messages(gateway, "{\"model\":\"chat\",\"max_tokens\":50,\"conversation_id\":\"conv_nope0000000000000000\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 404, "not_found_error");
    }

    @Test
    void aRefusalReachesTheAnthropicDoorWithItsDetailsAndClientHeadersTheBackendMayForwardReachIt() throws Exception {
        String details = "{\"type\":\"refusal\",\"category\":\"cyber\",\"explanation\":\"Not this.\"}";
        claude.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("claude-test", "refusal", null,
                "{\"input_tokens\":3,\"output_tokens\":0}").replace("\"usage\"", "\"stop_details\":" + details + ",\"usage\""), null));
        HttpResponse<String> whole = gateway.post("/v1/messages", "{\"model\":\"claude-only\",\"max_tokens\":50,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", "authorization", null, "x-api-key", TestGateway.KEY,
                "anthropic-beta", "fine-grained-tool-streaming-2025-05-14");
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(whole.body());
        assertThat(answer.get("stop_reason").asText()).isEqualTo("refusal");
        assertThat(answer.at("/stop_details/category").asText()).isEqualTo("cyber");
        assertThat(claude.lastRequest().header("anthropic-beta")).as("forward-headers names it").isEqualTo("fine-grained-tool-streaming-2025-05-14");

        claude.enqueue(UpstreamBehavior.verbatim(null, List.of(FakeAnthropicUpstream.messageStart("claude-test", 3),
                FakeAnthropicUpstream.messageDelta("refusal", null, "{\"output_tokens\":0}").replace("\"stop_sequence\":null",
                        "\"stop_sequence\":null,\"stop_details\":" + details), FakeAnthropicUpstream.messageStop())));
        List<Event> events = events(messages(gateway, "{\"model\":\"claude-only\",\"max_tokens\":50,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").body());
        JsonNode delta = events.get(events.size() - 2).data();
        assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("refusal");
        assertThat(delta.at("/delta/stop_details/explanation").asText()).isEqualTo("Not this.");
    }

    @Test
    void whatNoRouteCanTakeIsRefusedByTheCoreNamingTheField() throws Exception {
        HttpResponse<String> refused = messages(gateway, """
                {"model":"claude-only","max_tokens":50,"logit_bias":{"1":-100},"messages":[{"role":"user","content":"hi"}]}""");
        assertAnthropicError(refused, 400, "invalid_request_error");
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("logit_bias");
        assertThat(claude.requests()).isEmpty();
    }
}
