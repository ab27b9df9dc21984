package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PII masking in the whole gateway: an untrusted backend receives placeholders instead of personal data (in the
 * prompt and in tool-call arguments of the history), a trusted one the real text; the caller gets the values back in
 * the answer, whole and streamed with a placeholder cut between two chunks.
 */
class PiiGatewayTest {
    private static FakeOpenAiUpstream cloud;
    private static FakeOpenAiUpstream onPrem;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        cloud = FakeOpenAiUpstream.start();
        onPrem = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("cloud", TestGateway.openAiBackend(cloud.baseUrl(), Map.of()),
                        "onprem", TestGateway.openAiBackend(onPrem.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "cloud-chat", "routes", List.of(TestGateway.route("cloud", "m"))),
                        Map.of("id", "local-chat", "routes", List.of(TestGateway.route("onprem", "m")))),
                "pii", Map.of("enabled", true, "untrusted-backends", List.of("cloud"), "custom", Map.of("employee-id", "EMP-[0-9]{6}"))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        cloud.close();
        onPrem.close();
    }

    @BeforeEach
    void reset() {
        cloud.reset();
        onPrem.reset();
        // [EMAIL_1] is the first address in the prompt: bob@example.org, in the tool result before the question.
        cloud.byDefault(UpstreamBehavior.answer("I will write to [EMA", "IL_1] about [EMPLOYEE", "_ID_1] and call [CN_MOBILE_1]."));
        onPrem.byDefault(UpstreamBehavior.answer("ok"));
    }

    private static String body(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":["
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{\\\"phone\\\":\\\"13812345678\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"owner bob@example.org\"},"
                + "{\"role\":\"user\",\"content\":\"Mail alice@example.com about EMP-004211, id 11010519491231002X\"}]}";
    }

    @Test
    void anUntrustedBackendSeesPlaceholdersAndTheCallerTheValues() {
        for (boolean stream : List.of(false, true)) {
            cloud.reset();
            reset();
            HttpResponse<String> answer = gateway.post("/v1/chat/completions", body("cloud-chat", stream));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            String sent = cloud.requests().get(0).body();
            assertThat(sent).doesNotContain("alice@example.com", "bob@example.org", "13812345678", "EMP-004211", "11010519491231002X")
                    .contains("[EMAIL_1]", "[EMAIL_2]", "[CN_MOBILE_1]", "[EMPLOYEE_ID_1]", "[CN_ID_1]");
            String text = stream ? streamedText(answer.body()) : answer.body();
            assertThat(text).as("stream=%s", stream).contains("bob@example.org").contains("EMP-004211").contains("13812345678")
                    .doesNotContain("[EMAIL_1]", "[EMA");
        }
    }

    @Test
    void textPartsWithCacheControlAndNumbersInToolArgumentsAreMaskedAndStayJson() throws Exception {
        String body = "{\"model\":\"cloud-chat\",\"messages\":["
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"lookup\",\"arguments\":\"{\\\"phone\\\":13812345678,\\\"id\\\":110105194912310118,\\\"n\\\":3}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"done\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Mail alice@example.com\",\"cache_control\":{\"type\":\"ephemeral\"}}]}]}";
        HttpResponse<String> answer = gateway.post("/v1/chat/completions", body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String sent = cloud.requests().get(0).body();
        assertThat(sent).doesNotContain("alice@example.com", "13812345678", "110105194912310118");
        com.fasterxml.jackson.databind.JsonNode messages = Admin.JSON.readTree(sent).get("messages");
        com.fasterxml.jackson.databind.JsonNode arguments = Admin.JSON.readTree(messages.get(0).at("/tool_calls/0/function/arguments").asText());
        assertThat(arguments.get("phone").asText()).isEqualTo("[CN_MOBILE_1]");
        assertThat(arguments.get("id").asText()).isEqualTo("[CN_ID_1]");
        assertThat(arguments.get("n").asInt()).isEqualTo(3);
        com.fasterxml.jackson.databind.JsonNode part = messages.get(2).get("content").get(0);
        assertThat(part.get("text").asText()).isEqualTo("Mail [EMAIL_1]");
        assertThat(part.at("/cache_control/type").asText()).as("the part's own fields are forwarded").isEqualTo("ephemeral");
    }

    /** The answer text of an SSE stream: every {@code delta.content} in order. */
    private static String streamedText(String sse) {
        StringBuilder text = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"delta\":\\{[^}]*?\"content\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(sse);
        while (m.find()) {
            text.append(m.group(1));
        }
        return text.toString();
    }

    @Test
    void aTrustedBackendGetsTheRealText() {
        HttpResponse<String> answer = gateway.post("/v1/chat/completions", body("local-chat", false));
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(onPrem.requests().get(0).body()).contains("alice@example.com", "13812345678");
    }
}
