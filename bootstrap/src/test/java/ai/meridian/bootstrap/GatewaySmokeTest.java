package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewaySmokeTest {
    @Test
    void servesAChatCompletionFromConfiguredBackend() {
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start();
             TestGateway gateway = TestGateway.start(Map.of(
                     "backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                     "models", List.of(Map.of("id", "Qwen/Qwen2.5-7B", "aliases", List.of("qwen"),
                             "routes", List.of(TestGateway.route("fake", "upstream-qwen"))))))) {
            var response = gateway.post("/v1/chat/completions", TestGateway.chatBody("qwen", false));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("Hello from the fake upstream.");
            assertThat(upstream.requests().get(0).body()).contains("\"model\":\"upstream-qwen\"");
        }
    }
}
