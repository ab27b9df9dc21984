package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.out.jdbc.JdbcConversationStore;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Conversations through the HTTP API, on the gateway's real embedded database. */
class ConversationsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")), "context-window-tokens", 4096))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
        upstream.byDefault(UpstreamBehavior.answer("Lisbon", "."));
    }

    private static String chat(String conversation, String question, boolean stream) {
        String id = conversation == null ? "" : ",\"conversation_id\":\"" + conversation + "\"";
        return "{\"model\":\"chat\",\"stream\":" + stream + id + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private static void assertError(HttpResponse<String> response, int status, String code, String param) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response).get("error");
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        }
        if (param != null) {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        assertThat(error.get("message").asText()).isNotBlank();
    }

    private static String startConversation(String question) throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions", chat("new", question, false));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response).get("conversation_id").asText();
    }

    @Test
    void aConversationIsStartedContinuedListedReadRenamedAndDeleted() throws Exception {
        HttpResponse<String> first = gateway.post("/v1/chat/completions", chat("new", "Capital of Portugal?", false));
        assertThat(first.statusCode()).isEqualTo(200);
        String id = json(first).get("conversation_id").asText();
        assertThat(id).startsWith("conv_");
        assertThat(first.headers().firstValue("x-conversation-id")).contains(id);

        upstream.byDefault(UpstreamBehavior.answer("Madrid"));
        HttpResponse<String> second = gateway.post("/v1/chat/completions", chat(null, "And Spain?", false), "x-conversation-id", id);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(json(second).get("conversation_id").asText()).isEqualTo(id);
        JsonNode sent = JSON.readTree(upstream.requests().get(1).body()).get("messages");
        assertThat(sent).hasSize(3);
        assertThat(sent.get(0).get("content").asText()).isEqualTo("Capital of Portugal?");
        assertThat(sent.get(1).get("content").asText()).isEqualTo("Lisbon.");
        assertThat(sent.get(2).get("content").asText()).isEqualTo("And Spain?");

        JsonNode read = json(gateway.get("/v1/conversations/" + id));
        assertThat(read.get("object").asText()).isEqualTo("conversation");
        assertThat(read.get("title").asText()).isEqualTo("Capital of Portugal?");
        assertThat(read.get("turn_count").asInt()).isEqualTo(4);
        assertThat(read.get("turns")).hasSize(4);
        JsonNode answer = read.get("turns").get(3);
        assertThat(answer.get("seq").asInt()).isEqualTo(4);
        assertThat(answer.get("role").asText()).isEqualTo("assistant");
        assertThat(answer.get("content").asText()).isEqualTo("Madrid");
        assertThat(answer.get("backend").asText()).isEqualTo("up");
        assertThat(answer.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(answer.get("usage").get("total_tokens").asInt()).isPositive();

        JsonNode list = json(gateway.get("/v1/conversations?limit=100"));
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data").findValuesAsText("id")).contains(id);

        HttpResponse<String> renamed = gateway.patch("/v1/conversations/" + id, "{\"title\":\"Iberian capitals\"}");
        assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
        assertThat(json(renamed).get("title").asText()).isEqualTo("Iberian capitals");

        HttpResponse<String> deleted = gateway.delete("/v1/conversations/" + id);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
        assertError(gateway.get("/v1/conversations/" + id), 404, "not_found", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat(id, "still there?", false)), 404, "not_found", "conversation_id");
    }

    @Test
    void aStreamedAnswerCarriesTheIdOnItsFirstChunkAndInAHeaderAndIsStored() throws Exception {
        upstream.byDefault(UpstreamBehavior.answer("Hel", "lo"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", chat(null, "Hi", true), "x-conversation-id", "new");
        assertThat(response.statusCode()).isEqualTo(200);
        String id = response.headers().firstValue("x-conversation-id").orElseThrow();
        List<String> events = response.body().lines().filter(l -> l.startsWith("data: {")).toList();
        assertThat(events.get(0)).contains("\"conversation_id\":\"" + id + "\"");
        assertThat(events.subList(1, events.size())).noneMatch(e -> e.contains("conversation_id"));
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        JsonNode turns = json(gateway.get("/v1/conversations/" + id)).get("turns");
        assertThat(turns.findValuesAsText("content")).containsExactly("Hi", "Hello");
    }

    @Test
    void withoutAConversationIdNothingIsStored() throws Exception {
        int before = json(gateway.get("/v1/conversations?limit=100")).get("data").size();
        HttpResponse<String> response = gateway.post("/v1/chat/completions", chat(null, "stateless", false));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).has("conversation_id")).isFalse();
        assertThat(response.headers().firstValue("x-conversation-id")).isEmpty();
        assertThat(json(gateway.get("/v1/conversations?limit=100")).get("data")).hasSize(before);
    }

    @Test
    void anotherTenantsConversationIsNotFoundEverywhereAndNeverShown() throws Exception {
        JdbcConversationStore store = gateway.context().getBean(JdbcConversationStore.class);
        ConversationId theirs = new ConversationId("conv_acme_secret");
        store.append("acme", theirs, Optional.of("Acme secret plans"),
                List.of(Turn.fromClient(ChatMessage.user("the secret is 42"), "chat", Instant.now())), Instant.now()).get();
        String path = "/v1/conversations/" + theirs.value();
        assertError(gateway.get(path), 404, "not_found", "conversation_id");
        assertError(gateway.patch(path, "{\"title\":\"mine\"}"), 404, "not_found", "conversation_id");
        assertError(gateway.delete(path), 404, "not_found", "conversation_id");
        HttpResponse<String> continued = gateway.post("/v1/chat/completions", chat(theirs.value(), "what is the secret?", true));
        assertError(continued, 404, "not_found", "conversation_id");
        assertThat(continued.body()).doesNotContain("42").doesNotContain("Acme");
        assertThat(gateway.get("/v1/conversations?limit=100").body()).doesNotContain("conv_acme_secret");
        assertError(gateway.get("/v1/conversations?after=" + theirs.value()), 400, "invalid_value", "after");
        assertThat(upstream.requests()).isEmpty();
        assertThat(store.read("acme", theirs).get().orElseThrow().conversation().title()).isEqualTo("Acme secret plans");
    }

    @Test
    void malformedConversationParametersAreBadRequests() throws Exception {
        String id = startConversation("q");
        assertError(gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"conversation_id\":42,\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}"),
                400, "invalid_type", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat("not valid!", "q", false)), 400, "invalid_value", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat("", "q", false)), 400, "invalid_value", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat(id, "q", false), "x-conversation-id", "new"), 400, "invalid_value", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat(null, "q", false), "x-conversation-id", "x".repeat(65)), 400, "invalid_value", "conversation_id");
        assertError(gateway.post("/v1/chat/completions", chat("conv_000000000000000000000000", "q", false)), 404, "not_found", "conversation_id");
    }

    @Test
    void badPageParametersAreBadRequests() throws Exception {
        for (String query : List.of("limit=0", "limit=101", "limit=-5", "limit=abc", "limit=1.5", "limit=99999999999", "limit=1&limit=2")) {
            HttpResponse<String> response = gateway.get("/v1/conversations?" + query);
            assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(400);
            assertThat(json(response).get("error").get("param").asText()).isEqualTo("limit");
        }
        assertError(gateway.get("/v1/conversations?after=%27%20OR%201%3D1"), 400, "invalid_value", "after");
        assertError(gateway.get("/v1/conversations?after=conv_unknown"), 400, "invalid_value", "after");
    }

    @Test
    void pagingWalksEveryConversationOnce() throws Exception {
        for (int i = 0; i < 5; i++) {
            startConversation("paging " + i);
        }
        List<String> seen = new java.util.ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = json(gateway.get("/v1/conversations?limit=2" + (after == null ? "" : "&after=" + after)));
            page.get("data").forEach(c -> seen.add(c.get("id").asText()));
            after = page.get("has_more").asBoolean() ? page.get("last_id").asText() : null;
            pages++;
        } while (after != null && pages < 100);
        assertThat(seen).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(5);
        assertThat(json(gateway.get("/v1/conversations?limit=100")).get("data")).hasSize(seen.size());
    }

    @Test
    void unknownAndMalformedIdsAndBadRenamesAreOpenAiShapedErrors() throws Exception {
        String id = startConversation("rename me");
        assertError(gateway.get("/v1/conversations/conv_nothing_here"), 404, "not_found", "conversation_id");
        assertError(gateway.get("/v1/conversations/bad%20id"), 404, "not_found", null);
        assertError(gateway.delete("/v1/conversations/" + "y".repeat(300)), 404, "not_found", null);
        assertError(gateway.patch("/v1/conversations/" + id, "not json"), 400, "invalid_json", null);
        assertError(gateway.patch("/v1/conversations/" + id, "{}"), 400, "missing_required_parameter", "title");
        assertError(gateway.patch("/v1/conversations/" + id, "{\"title\":7}"), 400, "invalid_type", "title");
        assertError(gateway.patch("/v1/conversations/" + id, "{\"title\":\"   \"}"), 400, null, "title");
        assertError(gateway.patch("/v1/conversations/" + id, "{\"title\":\"" + "t".repeat(201) + "\"}"), 400, null, "title");
        HttpResponse<String> unauthenticated = gateway.get("/v1/conversations", "authorization", "Bearer wrong");
        assertThat(unauthenticated.statusCode()).isEqualTo(401);
    }
}
