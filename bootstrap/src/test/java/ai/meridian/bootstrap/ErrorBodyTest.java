package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Error bodies tell the caller what failed (model, backend id, status class) and nothing of the inside:
 * no socket addresses, no upstream error text, no parser internals. Wording is right, every documented code
 * is emitted, and an upper-case URL scheme is a URL.
 */
class ErrorBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;
    private static int deadPort;

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeOpenAiUpstream.start();
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of(
                "fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of()),
                "dead", TestGateway.openAiBackend("http://127.0.0.1:" + deadPort + "/v1", Map.of())));
        meridian.put("models", List.of(
                Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")), "retry", Map.of("max-attempts", 1)),
                Map.of("id", "gone", "routes", List.of(TestGateway.route("dead", "m")), "retry", Map.of("max-attempts", 1))));
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

    private static JsonNode error(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body()).get("error");
    }

    private static void assertNothingInside(String message) {
        assertThat(message).doesNotContain("127.0.0.1", String.valueOf(deadPort), String.valueOf(upstream.port()), "Connection refused",
                "Exception", "io.netty", "Unrecognized token", "was expecting", "(code ", "[Source");
    }

    @Test
    void anUnreachableBackendIsNamedWithoutItsAddress() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("gone", false));
        assertThat(response.statusCode()).isEqualTo(502);
        JsonNode error = error(response);
        assertThat(error.get("message").asText()).contains("model 'gone'").contains("backend 'dead'").contains("could not be reached");
        assertThat(error.get("code").asText()).isEqualTo("upstream_error");
        assertNothingInside(error.get("message").asText());
    }

    @Test
    void anUpstreamErrorIsGivenByItsStatusClassNotItsText() throws Exception {
        upstream.enqueue(UpstreamBehavior.status(500, "db password hunter2 at 10.1.2.3 failed"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false));
        assertThat(response.statusCode()).isEqualTo(502);
        String message = error(response).get("message").asText();
        assertThat(message).contains("backend 'fake'").contains("HTTP 5xx").doesNotContain("hunter2", "10.1.2.3", "500");
        upstream.enqueue(UpstreamBehavior.garbage());
        String garbage = error(gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false))).get("message").asText();
        assertThat(garbage).contains("not a valid completion");
        assertNothingInside(garbage);
    }

    @Test
    void malformedJsonIsDescribedInOurWordsWithItsPosition() throws Exception {
        for (String body : List.of("{\"model\": chat}", "{\"model\":\"chat\",", "{\"model\":\"chat\"} x", "{'model':'chat'}")) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", body);
            assertThat(response.statusCode()).isEqualTo(400);
            JsonNode error = error(response);
            assertThat(error.get("code").asText()).isEqualTo("invalid_json");
            assertThat(error.get("message").asText()).as(body).contains("line 1");
            assertNothingInside(error.get("message").asText());
        }
    }

    @Test
    void anIntegerTooLargeIsAValueErrorNotATypeError() throws Exception {
        HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"max_tokens\":99999999999999999999,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = error(response);
        assertThat(error.get("message").asText()).doesNotContain("expected an integer, but got an integer").contains("out of range");
        assertThat(error.get("code").asText()).isEqualTo("invalid_value");
        assertThat(error.get("param").asText()).isEqualTo("max_tokens");
        JsonNode huge = error(gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"temperature\":1e400,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        assertThat(huge.get("code").asText()).isEqualTo("invalid_value");
    }

    @Test
    void everyClientErrorCarriesACode() throws Exception {
        List<HttpResponse<String>> answers = List.of(
                gateway.get("/v1/nowhere"),
                gateway.get("/v1/chat/completions"),
                gateway.post("/v1/knowledge_bases", "{\"name\":\"Bad Name\"}"),
                gateway.post("/v1/knowledge_bases/none/documents", "{\"documents\":[]}"),
                gateway.post("/v1/knowledge_bases/none/query", "{\"query\":\"\"}"),
                gateway.post("/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":[]}"),
                gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[]}"),
                gateway.post("/v1/chat/completions", "[]"),
                gateway.send("POST", "/v1/chat/completions", java.net.http.HttpRequest.BodyPublishers.ofString("{}"), "content-type", "text/xml"));
        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).as(answer.body()).isBetween(400, 499);
            JsonNode error = error(answer);
            assertThat(error.get("code").isTextual()).as(answer.body()).isTrue();
        }
    }

    @Test
    void anUpperCaseSchemeIsAnHttpUrlAtIngestion() throws Exception {
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"urls\"}").statusCode()).isIn(201, 409);
        HttpResponse<String> accepted = gateway.post("/v1/knowledge_bases/urls/documents",
                "{\"documents\":[{\"url\":\"HTTP://example.invalid/page\"},{\"url\":\"Https://example.invalid/other\"}]}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        HttpResponse<String> refused = gateway.post("/v1/knowledge_bases/urls/documents", "{\"documents\":[{\"url\":\"FTP://example.invalid/x\"}]}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(error(refused).get("code").asText()).isEqualTo("invalid_value");
    }
}
