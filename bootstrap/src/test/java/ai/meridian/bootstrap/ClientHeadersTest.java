package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Client headers an operator allows ({@code forward-headers}) reach the backends that allow them and no
 * others; every other client header stays at the gateway. The client's W3C sampled flag reaches the backend
 * as the client set it. Both on the fast path and on the framework's path.
 */
class ClientHeadersTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static FakeOpenAiUpstream allowing;
    private static FakeOpenAiUpstream plain;
    private static TestGateway fast;
    private static TestGateway framework;

    @BeforeAll
    static void start() {
        allowing = FakeOpenAiUpstream.start();
        plain = FakeOpenAiUpstream.start();
        fast = TestGateway.start(config(true));
        framework = TestGateway.start(config(false));
    }

    private static Map<String, Object> config(boolean fastPath) {
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of(
                "openai", TestGateway.openAiBackend(allowing.baseUrl(), Map.of(
                        "forward-headers", List.of("OpenAI-Organization", "OpenAI-Project"),
                        "headers", Map.of("OpenAI-Organization", "org-default"))),
                "local", TestGateway.openAiBackend(plain.baseUrl(), Map.of())));
        meridian.put("models", List.of(
                Map.of("id", "remote", "routes", List.of(TestGateway.route("openai", "gpt")), "retry", Map.of("max-attempts", 1)),
                Map.of("id", "local", "routes", List.of(TestGateway.route("local", "llama")), "retry", Map.of("max-attempts", 1))));
        meridian.put("http", Map.of("fast-path", fastPath));
        return meridian;
    }

    @AfterAll
    static void stop() {
        fast.close();
        framework.close();
        allowing.close();
        plain.close();
    }

    @BeforeEach
    void reset() {
        allowing.reset();
        plain.reset();
    }

    private static TestGateway gateway(boolean fastPath) {
        return fastPath ? fast : framework;
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void allowedHeadersReachTheBackendsThatAllowThemOnly(boolean fastPath) {
        String[] headers = {"OpenAI-Organization", "org-client", "openai-project", "proj_1", "X-Secret-Internal", "nope"};
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> remote = gateway(fastPath).post("/v1/chat/completions", TestGateway.chatBody("remote", stream), headers);
            assertThat(remote.statusCode()).as(remote.body()).isEqualTo(200);
            HttpResponse<String> local = gateway(fastPath).post("/v1/chat/completions", TestGateway.chatBody("local", stream), headers);
            assertThat(local.statusCode()).as(local.body()).isEqualTo(200);
        }
        assertThat(allowing.requests()).hasSize(2).allSatisfy(r -> {
            assertThat(r.headers()).containsEntry("openai-organization", "org-client").containsEntry("openai-project", "proj_1")
                    .doesNotContainKey("x-secret-internal");
            assertThat(r.headers().get("authorization")).as("the gateway key never travels").isNull();
        });
        assertThat(plain.requests()).hasSize(2).allSatisfy(r -> assertThat(r.headers())
                .doesNotContainKeys("openai-organization", "openai-project", "x-secret-internal"));
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void aConfiguredHeaderIsTheDefaultWhenTheClientSendsNone(boolean fastPath) {
        HttpResponse<String> response = gateway(fastPath).post("/v1/chat/completions", TestGateway.chatBody("remote", false));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(allowing.requests().get(0).headers()).containsEntry("openai-organization", "org-default").doesNotContainKey("openai-project");
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void theClientsSampledFlagReachesTheBackend(boolean fastPath) {
        for (String flag : List.of("01", "00")) {
            allowing.reset();
            HttpResponse<String> response = gateway(fastPath).post("/v1/chat/completions", TestGateway.chatBody("remote", false),
                    "traceparent", "00-" + TRACE + "-00f067aa0ba902b7-" + flag);
            assertThat(response.statusCode()).isEqualTo(200);
            String sent = allowing.requests().get(0).headers().get("traceparent");
            assertThat(sent).as("client flag %s", flag).startsWith("00-" + TRACE + "-").endsWith("-" + flag)
                    .doesNotContain("00f067aa0ba902b7");
        }
        allowing.reset();
        gateway(fastPath).post("/v1/chat/completions", TestGateway.chatBody("remote", false));
        assertThat(allowing.requests().get(0).headers().get("traceparent")).as("the gateway's own trace, exporter off").endsWith("-00");
    }

    @Test
    void headersThatWouldLeakCredentialsOrBreakFramingCannotBeAllowed() {
        for (String header : List.of("Authorization", "Host", "Content-Length", "traceparent", "bad header")) {
            assertThatThrownBy(() -> TestGateway.start(Map.of("backends", Map.of("b", TestGateway.openAiBackend("http://127.0.0.1:9/v1",
                    Map.of("forward-headers", List.of(header)))))))
                    .as(header).hasStackTraceContaining("meridian.backends.b.forward-headers").hasStackTraceContaining(header);
        }
    }
}
