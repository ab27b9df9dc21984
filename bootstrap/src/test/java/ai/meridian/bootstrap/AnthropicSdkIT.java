package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeAnthropicUpstream;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Anthropic TypeScript SDK ({@code @anthropic-ai/sdk} from npm, {@code clients/anthropic}) drives the built
 * jar's {@code /v1/messages}: each scenario runs against a loopback server speaking Anthropic's wire format directly
 * and through Meridian, which routes the model to that server with its {@code type: anthropic} backend, and what the
 * client sees must be the same (plain, streamed, tool-use loop, thinking with signatures, 529, an error event in the
 * middle of a stream); Meridian-only scenarios cover a Claude model name mapped to a model on an OpenAI-compatible
 * upstream, count_tokens and Meridian's own errors. {@code npm ci} runs before the integration tests (lockfile
 * committed).
 */
class AnthropicSdkIT {
    private static final Path CLIENT = Path.of(System.getProperty("meridian.clients", "../clients")).resolve("anthropic").toAbsolutePath()
            .normalize();
    private static final String KEY = "sk-anthropic-sdk-master";
    private static final String SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";

    @Test
    void theAnthropicSdkSeesTheSameThroughMeridianAsDirectly(@TempDir Path dir) throws Exception {
        assertThat(CLIENT.resolve("node_modules")).as("npm ci has run in %s (the build's pre-integration-test phase does it)", CLIENT).isDirectory();
        try (FakeAnthropicUpstream claude = scenarios(FakeAnthropicUpstream.start()); FakeOpenAiUpstream openAi = FakeOpenAiUpstream.start()) {
            Files.writeString(dir.resolve("meridian.yml"), configuration(claude, openAi), StandardCharsets.UTF_8);
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(90))).as(gateway.log()).isTrue();
                Path output = dir.resolve("node-test.log");
                ProcessBuilder run = new ProcessBuilder(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec", "test/"))
                        .directory(CLIENT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
                run.environment().put("UPSTREAM_URL", claude.baseUrl());
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
                assertThat(claude.requests()).as("the SDK's requests reached the Anthropic server through Meridian")
                        .anySatisfy(r -> assertThat(r.header("x-api-key")).isEqualTo("sk-ant-backend"));
            }
        }
    }

    /** What the loopback Anthropic server answers, one model per scenario. */
    static FakeAnthropicUpstream scenarios(FakeAnthropicUpstream claude) {
        String usage = "{\"input_tokens\":11,\"output_tokens\":7}";
        claude.forModel("claude-plain", r -> UpstreamBehavior.verbatim(
                FakeAnthropicUpstream.message("claude-plain", "end_turn", null, usage, "{\"type\":\"text\",\"text\":\"Hello! How can I help?\"}"),
                List.of(FakeAnthropicUpstream.messageStart("claude-plain", 11),
                        FakeAnthropicUpstream.blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"),
                        FakeAnthropicUpstream.ping(),
                        FakeAnthropicUpstream.textDelta(0, "Hello!"),
                        FakeAnthropicUpstream.textDelta(0, " How can"),
                        FakeAnthropicUpstream.textDelta(0, " I help?"),
                        FakeAnthropicUpstream.blockStop(0),
                        FakeAnthropicUpstream.messageDelta("end_turn", null, "{\"output_tokens\":7}"),
                        FakeAnthropicUpstream.messageStop())));
        String toolUse = "{\"type\":\"tool_use\",\"id\":\"toolu_fx_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}";
        String checking = "{\"type\":\"text\",\"text\":\"Let me check.\"}";
        claude.forModel("claude-tools", r -> r.body().contains("\"tool_result\"")
                ? UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("claude-tools", "end_turn", null, "{\"input_tokens\":60,\"output_tokens\":12}",
                        "{\"type\":\"text\",\"text\":\"It is 18 degrees and sunny in Paris.\"}"), null)
                : UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("claude-tools", "tool_use", null, "{\"input_tokens\":40,\"output_tokens\":20}",
                        checking, toolUse), List.of(
                        FakeAnthropicUpstream.messageStart("claude-tools", 40),
                        FakeAnthropicUpstream.blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"),
                        FakeAnthropicUpstream.textDelta(0, "Let me check."),
                        FakeAnthropicUpstream.blockStop(0),
                        FakeAnthropicUpstream.blockStart(1, "{\"type\":\"tool_use\",\"id\":\"toolu_fx_1\",\"name\":\"get_weather\",\"input\":{}}"),
                        FakeAnthropicUpstream.blockDelta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"\"}"),
                        FakeAnthropicUpstream.blockDelta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \"}"),
                        FakeAnthropicUpstream.blockDelta(1, "{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}"),
                        FakeAnthropicUpstream.blockStop(1),
                        FakeAnthropicUpstream.messageDelta("tool_use", null, "{\"output_tokens\":20}"),
                        FakeAnthropicUpstream.messageStop())));
        String thinking = "{\"type\":\"thinking\",\"thinking\":\"The user greets me; answer briefly.\",\"signature\":\"" + SIGNATURE + "\"}";
        claude.forModel("claude-thinking", r -> UpstreamBehavior.verbatim(
                FakeAnthropicUpstream.message("claude-thinking", "end_turn", null, "{\"input_tokens\":20,\"output_tokens\":30}", thinking,
                        "{\"type\":\"text\",\"text\":\"Hi!\"}"),
                List.of(FakeAnthropicUpstream.messageStart("claude-thinking", 20),
                        FakeAnthropicUpstream.blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}"),
                        FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"The user greets me; \"}"),
                        FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"answer briefly.\"}"),
                        FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"signature_delta\",\"signature\":\"" + SIGNATURE + "\"}"),
                        FakeAnthropicUpstream.blockStop(0),
                        FakeAnthropicUpstream.blockStart(1, "{\"type\":\"text\",\"text\":\"\"}"),
                        FakeAnthropicUpstream.textDelta(1, "Hi!"),
                        FakeAnthropicUpstream.blockStop(1),
                        FakeAnthropicUpstream.messageDelta("end_turn", null, "{\"output_tokens\":30}"),
                        FakeAnthropicUpstream.messageStop())));
        claude.forModel("claude-overloaded", r -> UpstreamBehavior.status(529, "Overloaded"));
        claude.forModel("claude-cut", r -> UpstreamBehavior.verbatim(null,
                FakeAnthropicUpstream.textEvents("claude-cut", List.of("Partial", " never"), 1, "overloaded_error")));
        return claude;
    }

    /** The Anthropic server behind a {@code type: anthropic} backend, one model per scenario; a Claude name mapped to an OpenAI upstream. */
    private static String configuration(FakeAnthropicUpstream claude, FakeOpenAiUpstream openAi) {
        StringBuilder yml = new StringBuilder("""
                meridian:
                  master-key: %s
                  backends:
                    claude:
                      type: anthropic
                      base-url: %s
                      api-key: sk-ant-backend
                      circuit-breaker: {enabled: false}
                    local:
                      type: openai
                      base-url: %s
                      model-discovery: false
                  anthropic:
                    model-mapping:
                      - {from: "claude-3-*", to: gpt-plain}
                  models:
                    - id: gpt-plain
                      routes: [{backend: local, model: local-model}]
                      retry: {max-attempts: 1}
                """.formatted(KEY, claude.baseUrl(), openAi.baseUrl()));
        for (String model : List.of("claude-plain", "claude-tools", "claude-thinking", "claude-overloaded", "claude-cut")) {
            yml.append("    - id: ").append(model).append('\n')
                    .append("      routes: [{backend: claude, model: ").append(model).append("}]\n")
                    .append("      retry: {max-attempts: 1}\n");
        }
        return yml.toString();
    }
}
