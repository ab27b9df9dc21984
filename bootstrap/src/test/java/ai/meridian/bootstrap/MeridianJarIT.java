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
import java.util.List;
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

    @Test
    void helpAndVersionPrintAndExitWithoutStartingAServer(@TempDir Path dir) throws Exception {
        try (GatewayProcess help = GatewayProcess.start(dir, Map.of(), List.of("--help"), false)) {
            assertThat(help.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(help.log()).contains("Usage: java -jar meridian.jar").contains("MERIDIAN_MASTER_KEY").doesNotContain("Startup completed");
        }
        try (GatewayProcess version = GatewayProcess.start(dir, Map.of(), List.of("--version"), false)) {
            assertThat(version.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(version.log().strip()).matches("Meridian [0-9]+\\.[0-9]+\\.[0-9]+(-SNAPSHOT)?");
        }
        assertThat(dir.resolve("data")).as("nothing was started, not even the database").doesNotExist();
    }

    @Test
    void aTypoUnderMeridianStopsStartUpNamingTheKeyTheFileAndTheNearestKey(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  masterkey: sk-1\n  modles:\n    - id: m\n");
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(gateway.log()).contains("Meridian cannot start: unknown configuration key 'meridian.masterkey' in meridian.yml line 2")
                    .contains("did you mean 'meridian.master-key'?").doesNotContain("Startup completed");
        }
    }

    @Test
    void aYamlErrorNamesTheFileAndTheLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  master-key: sk-1\n  models: [\n    - id: m\n");
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(gateway.log()).containsPattern("Meridian cannot start: configuration file meridian.yml line [0-9]+, column [0-9]+ is not valid YAML");
        }
    }

    /**
     * A plain start on this machine: no GPU warnings (the build hosts have a CUDA runtime and no GPU, which is
     * what made DJL warn), JSON lines with the log going to a file, and each backend nobody listens for reported
     * once, at WARN, with its URL: by the model discovery (on by default), or by the start-up check when discovery
     * is off (credentials and query left out).
     */
    @Test
    void startUpIsQuietAboutGpusAndReportsEachUnreachableBackendOnceWithItsUrl(@TempDir Path dir) throws Exception {
        int discovered = GatewayProcess.freePort();
        int undiscovered = GatewayProcess.freePort();
        Files.writeString(dir.resolve("meridian.yml"), String.join("\n", "meridian:", "  master-key: sk-1", "  backends:",
                "    vllm:", "      type: openai", "      base-url: http://127.0.0.1:" + discovered + "/v1",
                "    ollama:", "      type: openai", "      model-discovery: false",
                "      base-url: http://user:secret@127.0.0.1:" + undiscovered + "/v1?key=secret",
                "  models:", "    - id: m", "      routes: [{backend: vllm, model: x}]",
                "      fallbacks: [{routes: [{backend: ollama, model: y}]}]", ""));
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!(gateway.log().contains("127.0.0.1:" + discovered) && gateway.log().contains("is unreachable"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            Thread.sleep(1500);
            String log = gateway.log();
            assertThat(warningsNaming(log, "127.0.0.1:" + discovered + "/v1")).as(log).isEqualTo(1);
            assertThat(warningsNaming(log, "127.0.0.1:" + undiscovered + "/v1")).as(log).isEqualTo(1);
            assertThat(log).contains("Backend 'ollama' at http://127.0.0.1:" + undiscovered + "/v1 is unreachable at start-up");
            assertThat(log).doesNotContain("secret").doesNotContainIgnoringCase("cuda").doesNotContain("GPU");
            assertThat(log.lines().filter(l -> !l.isBlank())).allSatisfy(line -> assertThat(line).startsWith("{\"@timestamp\""));
        }
    }

    private static long warningsNaming(String log, String url) {
        return log.lines().filter(l -> l.contains("\"level\":\"WARN\"") && l.contains(url)).count();
    }

    @Test
    void onATerminalLogsAreLinesForPeopleAndTheFormatCanBeChosen(@TempDir Path dir) throws Exception {
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of(), List.of(), true)) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            assertThat(gateway.log()).containsPattern("(?m)^[0-9:.]+ INFO +StartupReport - Meridian listening on ").doesNotContain("{\"@timestamp\"");
        }
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of("MERIDIAN_LOGGING_FORMAT", "json"), List.of(), true)) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            assertThat(gateway.log()).contains("\"message\":\"Meridian listening on");
        }
        Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  logging:\n    format: text\n");
        try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
            assertThat(gateway.log()).containsPattern("(?m)^[0-9:.]+ INFO +StartupReport - Meridian listening on");
        }
    }
}
