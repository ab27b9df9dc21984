package ai.meridian.adapter.out.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolDefinition;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.RequestNeeds;
import ai.meridian.testkit.FakeAnthropicUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.ModelBackendContract.Recorder;
import ai.meridian.testkit.UpstreamBehavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the Messages-API adapter does beyond the shared contract: both directions of the wire format, faults of its own. */
class AnthropicMessagesBackendTest {
    private static final String SIGNED = "{\"type\":\"thinking\",\"thinking\":\"Weather needs a tool.\",\"signature\":\"sig-abc\"}";
    private FakeAnthropicUpstream upstream;
    private AnthropicBackendFactory factory;
    private ModelBackend backend;

    @BeforeEach
    void start() {
        upstream = FakeAnthropicUpstream.start();
        factory = new AnthropicBackendFactory();
        backend = backend(Map.of("base-url", upstream.baseUrl() + "/anthropic", "anthropic-beta", "interleaved-thinking-2025-05-14"));
    }

    @AfterEach
    void stop() {
        backend.close();
        factory.close();
        upstream.close();
    }

    private ModelBackend backend(Map<String, String> more) {
        return factory.create(AnthropicBackendContractTest.settings("unit", upstream.baseUrl(), more));
    }

    private static final ToolDefinition WEATHER = new ToolDefinition("function", "get_weather", "Weather of a city",
            "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}",
            "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"strict\":true},\"cache_control\":{\"type\":\"ephemeral\"}}");

    /** A tool loop's second request, as the OpenAI or the Anthropic door would hand it over. */
    private static BackendCall toolLoopCall(GenerationParams params, ToolSpec tools) {
        ChatMessage user = ChatMessage.builder(Role.USER).parts(List.of(ContentPart.text("Weather in Paris? See:"),
                ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0K\"}}"),
                ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/sky.jpg\"}}"))).build();
        ChatMessage assistant = ChatMessage.builder(Role.ASSISTANT).contentNull(true).reasoningContent("Weather needs a tool.")
                .toolCalls(List.of(ToolCall.function("toolu_1", "get_weather", "{\"city\":\"Paris\"}")))
                .extra(Map.of("thinking_blocks", "[" + SIGNED + "]")).build();
        ChatMessage result = ChatMessage.builder(Role.TOOL).toolCallId("toolu_1").content("18C, sunny")
                .extra(Map.of("is_error", "false", "cache_control", "{\"type\":\"ephemeral\"}")).build();
        return new BackendCall("req-7", "claude-test", List.of(ChatMessage.system("Be brief."), user, assistant, result,
                ChatMessage.system("Sources: [1] meteo"), ChatMessage.user("And tomorrow?")), params, null, List.of(), tools);
    }

    @Test
    void writesTheCallInTheMessagesApisTerms() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("ok"));
        GenerationParams params = new GenerationParams(0.5, 0.9, 256, List.of("###"), null, "user-9", null, null, null, null, null, null,
                ordered("top_k", "40", "thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}"), "max_tokens");
        ToolSpec tools = new ToolSpec(List.of(WEATHER), Optional.of(ToolChoice.REQUIRED), Optional.of(false), false);
        backend.complete(toolLoopCall(params, tools)).get(5, TimeUnit.SECONDS);
        FakeAnthropicUpstream.RecordedRequest request = upstream.lastRequest();
        assertThat(request.path()).isEqualTo("/anthropic/v1/messages");
        assertThat(request.header("x-api-key")).isEqualTo("sk-ant-test");
        assertThat(request.header("authorization")).isNull();
        assertThat(request.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(request.header("anthropic-beta")).isEqualTo("interleaved-thinking-2025-05-14");
        assertThat(request.header("x-request-id")).isEqualTo("req-7");
        assertThat(request.body()).isEqualTo("{\"model\":\"claude-test\",\"max_tokens\":256,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"},{\"type\":\"text\",\"text\":\"Sources: [1] meteo\"}],"
                + "\"messages\":["
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris? See:\"},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0K\"}},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/sky.jpg\"}}]},"
                + "{\"role\":\"assistant\",\"content\":[" + SIGNED + ","
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"18C, sunny\","
                + "\"is_error\":false,\"cache_control\":{\"type\":\"ephemeral\"}},{\"type\":\"text\",\"text\":\"And tomorrow?\"}]}],"
                + "\"temperature\":0.5,\"top_p\":0.9,\"stop_sequences\":[\"###\"],\"metadata\":{\"user_id\":\"user-9\"},"
                + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather of a city\","
                + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}},\"strict\":true,\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"tool_choice\":{\"type\":\"any\",\"disable_parallel_tool_use\":true},"
                + "\"top_k\":40,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}");
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void aCallWithoutMaxTokensGetsTheConfiguredDefaultAndBearerAuthWhenAskedFor() throws Exception {
        try (ModelBackend bearer = backend(Map.of("auth", "bearer", "default-max-tokens", "1234"))) {
            upstream.enqueue(UpstreamBehavior.answer("ok"));
            bearer.complete(new BackendCall("r", "m", List.of(ChatMessage.user("hi")), GenerationParams.DEFAULTS, null)).get(5, TimeUnit.SECONDS);
            assertThat(upstream.lastRequest().header("authorization")).isEqualTo("Bearer sk-ant-test");
            assertThat(upstream.lastRequest().header("x-api-key")).isNull();
            assertThat(upstream.lastRequest().body()).startsWith("{\"model\":\"m\",\"max_tokens\":1234,");
        }
    }

    @Test
    void aWholeAnswerKeepsThinkingWithItsSignatureToolCallsAndCacheUsage() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("claude-test-1", "tool_use", null,
                "{\"input_tokens\":20,\"output_tokens\":30,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"service_tier\":\"standard\"}",
                SIGNED, "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"}", "{\"type\":\"text\",\"text\":\"Let me check.\"}",
                "{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}"), null));
        Completion completion = backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)).get(5, TimeUnit.SECONDS);
        Choice choice = completion.first();
        assertThat(choice.content()).isEqualTo("Let me check.");
        assertThat(choice.reasoningContent()).isEqualTo("Weather needs a tool.");
        assertThat(choice.toolCalls()).containsExactly(ToolCall.function("toolu_9", "get_weather", "{\"city\":\"Paris\"}"));
        assertThat(choice.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(choice.messageExtra().get("thinking_blocks"))
                .isEqualTo("[" + SIGNED + ",{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgB\"}]");
        assertThat(completion.upstreamModel()).isEqualTo("claude-test-1");
        TokenUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).as("input + cache read + cache creation").isEqualTo(125);
        assertThat(usage.completionTokens()).isEqualTo(30);
        assertThat(usage.cachedPromptTokens()).isEqualTo(100);
        assertThat(usage.details()).containsEntry("cache_creation_input_tokens", "5").containsEntry("cache_read_input_tokens", "100")
                .containsEntry("service_tier", "\"standard\"");
    }

    @Test
    void aStreamPassesThinkingSignaturesTextAndToolInputAsTheyCome() throws Exception {
        List<String> events = List.of(
                FakeAnthropicUpstream.messageStart("claude-test-2", 20),
                FakeAnthropicUpstream.blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\"}"),
                FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"Weather needs \"}"),
                FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"a tool.\"}"),
                FakeAnthropicUpstream.blockDelta(0, "{\"type\":\"signature_delta\",\"signature\":\"sig-abc\"}"),
                FakeAnthropicUpstream.blockStop(0),
                FakeAnthropicUpstream.blockStart(1, "{\"type\":\"text\",\"text\":\"\"}"),
                FakeAnthropicUpstream.ping(),
                FakeAnthropicUpstream.textDelta(1, "Checking."),
                FakeAnthropicUpstream.blockStop(1),
                FakeAnthropicUpstream.blockStart(2, "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}"),
                FakeAnthropicUpstream.blockDelta(2, "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}"),
                FakeAnthropicUpstream.blockDelta(2, "{\"type\":\"input_json_delta\",\"partial_json\":\"\\\"Paris\\\"}\"}"),
                FakeAnthropicUpstream.blockStop(2),
                FakeAnthropicUpstream.blockStart(3, "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"get_time\",\"input\":{\"tz\":\"CET\"}}"),
                FakeAnthropicUpstream.blockStop(3),
                FakeAnthropicUpstream.messageDelta("tool_use", null, "{\"output_tokens\":42}"),
                FakeAnthropicUpstream.messageStop());
        upstream.enqueue(UpstreamBehavior.verbatim(null, events));
        Recorder recorder = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), recorder);
        recorder.awaitEnd();
        assertThat(upstream.lastRequest().body()).contains("\"stream\":true");
        assertThat(recorder.failures).isEmpty();
        assertThat(recorder.completions).containsExactly(FinishReason.TOOL_CALLS);
        AnswerAssembler answer = new AnswerAssembler();
        recorder.deltas.forEach(answer::add);
        assertThat(answer.reasoning()).isEqualTo("Weather needs a tool.");
        assertThat(answer.text()).isEqualTo("Checking.");
        assertThat(answer.toolCalls()).containsExactly(ToolCall.function("toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
                ToolCall.function("toolu_2", "get_time", "{\"tz\":\"CET\"}"));
        assertThat(recorder.deltas).anySatisfy(d -> assertThat(d.deltaExtra())
                .containsEntry("thinking_blocks", "[{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"sig-abc\"}]"));
        List<String> order = new ArrayList<>();
        for (Delta d : recorder.deltas) {
            order.add(!d.reasoningContent().isEmpty() ? "thinking" : !d.content().isEmpty() ? "text"
                    : !d.toolCalls().isEmpty() ? "tool" : "extra");
        }
        assertThat(order).containsExactly("thinking", "thinking", "extra", "text", "tool", "tool", "tool", "tool", "tool");
        TokenUsage usage = recorder.usages.get(0).orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(20);
        assertThat(usage.completionTokens()).isEqualTo(42);
    }

    @Test
    void theStopSequenceThatEndedTheAnswerIsReportedWholeAndStreamed() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("m", "stop_sequence", "###", "{\"input_tokens\":3,\"output_tokens\":2}",
                "{\"type\":\"text\",\"text\":\"Hi\"}"), null));
        Choice whole = backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)).get(5, TimeUnit.SECONDS).first();
        assertThat(whole.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(whole.choiceExtra()).containsEntry("stop_reason", "\"###\"");

        upstream.enqueue(UpstreamBehavior.verbatim(null, List.of(FakeAnthropicUpstream.messageStart("m", 3),
                FakeAnthropicUpstream.blockStart(0, "{\"type\":\"text\",\"text\":\"\"}"), FakeAnthropicUpstream.textDelta(0, "Hi"),
                FakeAnthropicUpstream.blockStop(0), FakeAnthropicUpstream.messageDelta("stop_sequence", "###", "{\"output_tokens\":2}"),
                FakeAnthropicUpstream.messageStop())));
        Recorder recorder = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), recorder);
        recorder.awaitEnd();
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
        assertThat(recorder.deltas.get(recorder.deltas.size() - 1).choiceExtra()).containsEntry("stop_reason", "\"###\"");
    }

    @Test
    void anErrorEventInTheMiddleOfAStreamIsClassifiedByItsType() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(null, FakeAnthropicUpstream.textEvents("m", List.of("one", " two", " three"), 2, "overloaded_error")));
        Recorder recorder = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), recorder);
        recorder.awaitEnd();
        assertThat(recorder.text()).isEqualTo("one two");
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.SERVER_ERROR);
            assertThat(f.message()).contains("overloaded_error");
        });

        upstream.enqueue(UpstreamBehavior.verbatim(null, FakeAnthropicUpstream.textEvents("m", List.of("x"), 0, "rate_limit_error")));
        Recorder limited = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), limited);
        limited.awaitEnd();
        assertThat(limited.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.RATE_LIMITED);
    }

    @Test
    void overloadedAndUnavailableMoveOnWithTheirRetryAfterBillingIsTheGatewaysAccount() {
        upstream.enqueue(UpstreamBehavior.status(529, "Overloaded").withRetryAfter(Duration.ofSeconds(3)));
        Failure overloaded = ModelBackendContract.failureOf(backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)));
        assertThat(overloaded.kind()).isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(overloaded.upstreamStatus()).isEqualTo(529);
        assertThat(overloaded.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(overloaded.message()).contains("overloaded_error: Overloaded");

        upstream.enqueue(UpstreamBehavior.status(402, "credit balance too low"));
        Failure billing = ModelBackendContract.failureOf(backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)));
        assertThat(billing.kind()).isEqualTo(FailureKind.BACKEND_REJECTED);
        assertThat(billing.kind().movesOn()).isTrue();

        upstream.enqueue(UpstreamBehavior.status(401, "invalid x-api-key"));
        assertThat(ModelBackendContract.failureOf(backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE))).kind())
                .isEqualTo(FailureKind.BACKEND_REJECTED);
    }

    @Test
    void garbageIsAProtocolErrorAndAServerThatDoesNotStreamIsReadWhole() throws Exception {
        upstream.enqueue(UpstreamBehavior.garbage());
        assertThat(ModelBackendContract.failureOf(backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE))).kind())
                .isEqualTo(FailureKind.PROTOCOL_ERROR);
        upstream.enqueue(UpstreamBehavior.garbage());
        Recorder garbled = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), garbled);
        garbled.awaitEnd();
        assertThat(garbled.failures).singleElement().extracting(Failure::kind).isEqualTo(FailureKind.PROTOCOL_ERROR);

        // A server that answers a stream request with a whole JSON message: its content arrives as pieces, then the end.
        upstream.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("m", "end_turn", null,
                "{\"input_tokens\":1,\"output_tokens\":1}", SIGNED, "{\"type\":\"text\",\"text\":\"whole\"}"), null));
        Recorder recorder = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), recorder);
        recorder.awaitEnd();
        assertThat(recorder.text()).isEqualTo("whole");
        assertThat(recorder.completions).containsExactly(FinishReason.STOP);
        assertThat(recorder.deltas).anySatisfy(d -> assertThat(d.reasoningContent()).isEqualTo("Weather needs a tool."));
        assertThat(recorder.deltas).anySatisfy(d -> assertThat(d.deltaExtra())
                .containsEntry("thinking_blocks", "[{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"sig-abc\"}]"));
    }

    @Test
    void whatTheMessagesApiCannotExpressIsTheClientsErrorAndNeverSent() {
        BackendCall legacy = new BackendCall("r", "m", List.of(ChatMessage.user("hi"),
                ChatMessage.builder(Role.FUNCTION).name("f").content("x").build()), GenerationParams.DEFAULTS, null);
        Failure failure = ModelBackendContract.failureOf(backend.complete(legacy));
        assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(failure.message()).contains("messages[1].role");

        Recorder recorder = new Recorder();
        backend.stream(new BackendCall("r", "m", List.of(new ChatMessage(Role.USER, "hi", "alice")), GenerationParams.DEFAULTS, null), recorder);
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
            assertThat(f.message()).contains("messages[0].name");
        });
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aRefusalKeepsItsDetailsWholeAndStreamed() throws Exception {
        String details = "{\"type\":\"refusal\",\"category\":\"cyber\",\"explanation\":\"Not this.\"}";
        upstream.enqueue(UpstreamBehavior.verbatim(FakeAnthropicUpstream.message("m", "refusal", null, "{\"input_tokens\":3,\"output_tokens\":0}")
                .replace("\"usage\"", "\"stop_details\":" + details + ",\"usage\""), null));
        Completion whole = backend.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)).get(5, TimeUnit.SECONDS);
        assertThat(whole.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(whole.extra()).containsEntry("stop_details", details);

        upstream.enqueue(UpstreamBehavior.verbatim(null, List.of(FakeAnthropicUpstream.messageStart("m", 3),
                FakeAnthropicUpstream.messageDelta("refusal", null, "{\"output_tokens\":0}").replace("\"stop_sequence\":null",
                        "\"stop_sequence\":null,\"stop_details\":" + details), FakeAnthropicUpstream.messageStop())));
        Recorder recorder = new Recorder();
        backend.stream(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE), recorder);
        recorder.awaitEnd();
        assertThat(recorder.completions).containsExactly(FinishReason.CONTENT_FILTER);
        assertThat(recorder.deltas.get(recorder.deltas.size() - 1).choiceExtra()).containsEntry("stop_details", details);
    }

    @Test
    void apiVersion20261021HasNoSamplingParameters() throws Exception {
        try (ModelBackend current = backend(Map.of("anthropic-version", "2026-10-21"))) {
            assertThat(current.capabilities("m").parameters().accepts("top_k")).isFalse();
            GenerationParams warm = new GenerationParams(0.7, null, 64, null, null, null, null, null, null);
            Failure failure = ModelBackendContract.failureOf(current.complete(toolLoopCall(warm, ToolSpec.NONE)));
            assertThat(failure.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
            assertThat(failure.message()).contains("'temperature'").contains("2026-10-21");
            assertThat(upstream.requests()).isEmpty();
            upstream.enqueue(UpstreamBehavior.answer("ok"));
            current.complete(toolLoopCall(GenerationParams.DEFAULTS, ToolSpec.NONE)).get(5, TimeUnit.SECONDS);
            assertThat(upstream.lastRequest().header("anthropic-version")).isEqualTo("2026-10-21");
        }
    }

    @Test
    void capabilitiesSayWhatTheBackendCanDoAndWhichFieldsItForwards() {
        ModelCapabilities capabilities = backend.capabilities("any-model");
        assertThat(capabilities.supported()).contains(Capability.TOOLS, Capability.VISION, Capability.REASONING);
        assertThat(capabilities.unsupported()).contains(Capability.AUDIO, Capability.LOGPROBS, Capability.MULTIPLE_CHOICES);
        assertThat(capabilities.parameters().accepts("top_k")).isTrue();
        assertThat(capabilities.parameters().accepts("thinking")).isTrue();
        assertThat(capabilities.parameters().accepts("seed")).isFalse();
        assertThat(capabilities.parameters().accepts("logit_bias")).isFalse();
        assertThat(capabilities.canServe(new RequestNeeds(Set.of(Capability.TOOLS), 0, 0, Set.of("top_k", "stop")))).isTrue();
        try (ModelBackend tuned = backend(Map.of("parameters.allow", "speed", "parameters.deny", "top_k"))) {
            assertThat(tuned.capabilities("m").parameters().accepts("speed")).isTrue();
            assertThat(tuned.capabilities("m").parameters().accepts("top_k")).isFalse();
        }
    }
}
