package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.ScenarioUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client compatibility suites in {@code clients/}: real SDKs from npm (the official {@code openai} SDK,
 * LangChain JS, the Vercel AI SDK, the official Anthropic SDK) each run every scenario twice, against a recording
 * upstream that replays the wire-format fixtures in {@code clients/fixtures} (Chat Completions, and Anthropic's
 * Messages API through Meridian's {@code type: anthropic} backend) and through the built jar routed to it, and
 * compare what the client saw and what the upstream received. Node and the packages come from {@code npm ci} (the build
 * runs it before the integration tests; the lockfile is committed).
 */
class ClientCompatibilityIT {
    private static final Path CLIENTS = Path.of(System.getProperty("meridian.clients", "../clients")).toAbsolutePath().normalize();
    private static final String KEY = "sk-compat-master";

    @Test
    void everyClientSeesTheSameThroughMeridianAsDirectly(@TempDir Path dir) throws Exception {
        Path node = CLIENTS.resolve("node");
        assertThat(node.resolve("node_modules")).as("npm ci has run in %s (the build's pre-integration-test phase does it)", node).isDirectory();
        try (ScenarioUpstream upstream = ScenarioUpstream.start(CLIENTS.resolve("fixtures"))) {
            Files.writeString(dir.resolve("meridian.yml"), configuration(upstream), StandardCharsets.UTF_8);
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(90))).as(gateway.log()).isTrue();
                Path output = dir.resolve("node-test.log");
                ProcessBuilder run = new ProcessBuilder(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/"))
                        .directory(node.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
                run.environment().put("UPSTREAM_URL", upstream.url());
                run.environment().put("MERIDIAN_URL", gateway.url());
                run.environment().put("MERIDIAN_KEY", KEY);
                run.environment().put("NO_COLOR", "1");
                Process process = run.start();
                boolean finished = process.waitFor(5, TimeUnit.MINUTES);
                if (!finished) {
                    process.destroyForcibly();
                }
                String log = Files.readString(output, StandardCharsets.UTF_8);
                System.out.println(log);
                assertThat(finished).as("the Node suite finished within 5 minutes:\n%s", log).isTrue();
                assertThat(process.exitValue()).as("node --test failed:\n%s\n--- gateway log ---\n%s", log, gateway.log()).isZero();
                assertThat(log).as("the suite ran its scenarios").containsPattern("ℹ pass [1-9]").contains("ℹ fail 0");
            }
        }
    }

    /**
     * Two backends on the recording upstream, one per protocol it answers (the OpenAI-compatible one for Chat
     * Completions fixtures, a {@code type: anthropic} one for Messages API fixtures); one model per fixture, named as
     * the upstream model it routes to; and Claude model names mapped to the plain Chat Completions fixture.
     */
    private static String configuration(ScenarioUpstream upstream) {
        List<String> lines = new ArrayList<>(List.of(
                "meridian:",
                "  master-key: " + KEY,
                "  backends:",
                "    scenarios:",
                "      type: openai",
                "      base-url: " + upstream.url() + "/v1",
                "      api-key: sk-upstream",
                "      forward-headers: [OpenAI-Organization, OpenAI-Project]",
                "      model-discovery: false   # its GET /models would land among the requests a scenario compares",
                "    anthropic-scenarios:",
                "      type: anthropic",
                "      base-url: " + upstream.url(),
                "      api-key: sk-upstream-anthropic",
                "      circuit-breaker: {enabled: false}",
                "  anthropic:",
                "    model-mapping:",
                "      - {from: \"claude-3-*\", to: plain}",
                "  models:"));
        for (String model : upstream.models(ScenarioUpstream.CHAT_PATH)) {
            lines.add("    - id: " + model);
            lines.add("      routes: [{backend: scenarios, model: " + model + "}]");
            lines.add("      retry: {max-attempts: 1}");
        }
        // Text completions fixtures (the legacy Completions API) on the OpenAI-compatible backend too.
        for (String model : upstream.models("/v1/completions")) {
            lines.add("    - id: " + model);
            lines.add("      routes: [{backend: scenarios, model: " + model + "}]");
            lines.add("      retry: {max-attempts: 1}");
        }
        for (String model : upstream.models("/v1/messages")) {
            lines.add("    - id: " + model);
            lines.add("      routes: [{backend: anthropic-scenarios, model: " + model + "}]");
            lines.add("      retry: {max-attempts: 1}");
        }
        lines.add("");
        return String.join("\n", lines);
    }
}
