package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single jar, started as a process with only environment variables and an optional meridian.yml. */
class MeridianJarIT {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> chat(GatewayProcess gateway, String key, String model) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/chat/completions"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chatBody(model, false)));
        if (key != null) {
            request.header("authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeepSeekKeyIsAllItTakesToServeDeepSeekChat(@TempDir Path dir) throws Exception {
        try (FakeOpenAiUpstream deepseek = FakeOpenAiUpstream.start();
             GatewayProcess gateway = GatewayProcess.start(dir, Map.of("DEEPSEEK_API_KEY", "sk-deepseek-test",
                     "DEEPSEEK_BASE_URL", deepseek.baseUrl(), "MERIDIAN_MASTER_KEY", "sk-master"))) {
            deepseek.enqueue(UpstreamBehavior.answer("你好", "!"));
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            HttpResponse<String> response = chat(gateway, "sk-master", "deepseek-chat");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains("你好!");
            assertThat(response.headers().firstValue("x-meridian-backend")).contains("deepseek");
            assertThat(deepseek.requests().get(0).headers()).containsEntry("authorization", "Bearer sk-deepseek-test");
            assertThat(deepseek.requests().get(0).body()).contains("\"model\":\"deepseek-chat\"");
            assertThat(chat(gateway, "sk-wrong", "deepseek-chat").statusCode()).isEqualTo(401);
            assertThat(gateway.log()).contains("\"message\":\"Meridian listening").doesNotContain("loopback");
        }
    }

    @Test
    void aMeridianYmlInTheWorkingDirectoryIsReadAndEnvironmentVariablesOverrideIt(@TempDir Path dir) throws Exception {
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            Files.writeString(dir.resolve("meridian.yml"), String.join("\n",
                    "meridian:",
                    "  master-key: from-file",
                    "  backends:",
                    "    local:",
                    "      type: openai",
                    "      base-url: " + upstream.baseUrl(),
                    "      api-key: key-from-file",
                    "  models:",
                    "    - id: llama3.1:8b",
                    "      routes: [{backend: local, model: \"llama3.1:8b\"}]",
                    ""));
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of("MERIDIAN_BACKENDS_LOCAL_API_KEY", "key-from-env"))) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
                HttpResponse<String> response = chat(gateway, "from-file", "llama3.1:8b");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(upstream.requests().get(0).headers()).containsEntry("authorization", "Bearer key-from-env");
            }
        }
    }

    @Test
    void withoutAKeyItListensOnLoopbackAndSaysSo(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of("MICRONAUT_SERVER_HOST", "0.0.0.0"))) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            assertThat(gateway.log()).contains("listens on loopback (127.0.0.1) only");
            HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aBadConfigurationStopsStartUpWithItsMessage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  models:\n    - id: m\n      routes: [{backend: nowhere, model: x}]\n");
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
            assertThat(gateway.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(gateway.log()).contains("Meridian cannot start").contains("unknown backend 'nowhere'");
        }
    }
}
