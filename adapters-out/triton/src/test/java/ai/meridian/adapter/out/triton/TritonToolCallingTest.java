package ai.meridian.adapter.out.triton;

import static ai.meridian.adapter.out.triton.TritonTestSupport.TRACEPARENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.AnswerAssembler;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.chat.ToolChoice;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.ModelBackendContract.Recorder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tool calls of a Hermes/Qwen-style model on Triton, read from its output as it streams. */
class TritonToolCallingTest {
    private static final ToolSpec WEATHER_TOOLS = new ToolSpec(List.of(HermesPromptTest.WEATHER), Optional.empty(), Optional.empty(), false);
    private static final String QUESTION = "Weather in Paris?";

    private final TritonBackendFactory factory = new TritonBackendFactory();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(open);
        for (AutoCloseable c : open) {
            c.close();
        }
        factory.close();
    }

    private FakeTritonServer hermesModel(Convention convention) {
        FakeTritonServer server = FakeTritonServer.of(convention).answeringByDefault(TritonBehavior.hermesToolModel()).start();
        open.add(server);
        return server;
    }

    private ModelBackend backend(FakeTritonServer triton, Convention convention, Map<String, String> extra) {
        ModelBackend backend = factory.create(TritonTestSupport.settings("tools", triton.endpoint(), convention, triton.model(), extra));
        open.add(backend);
        return backend;
    }

    private static BackendCall call(String model, List<ChatMessage> messages, ToolSpec tools) {
        return new BackendCall("req-t", model, messages, GenerationParams.DEFAULTS, TRACEPARENT, List.of(), tools);
    }

    private static Recorder stream(ModelBackend backend, BackendCall call) throws InterruptedException {
        Recorder recorder = new Recorder();
        backend.stream(call, recorder);
        recorder.awaitEnd();
        return recorder;
    }

    private static Choice assembled(Recorder recorder) {
        AnswerAssembler answer = new AnswerAssembler();
        recorder.deltas.forEach(answer::add);
        answer.finishAll(recorder.completions.get(0), 1);
        return answer.choices(recorder.completions.get(0)).get(0);
    }

    @Test
    void aStreamedCallArrivesAsToolCallFragmentsWithArgumentsInPieces() throws Exception {
        for (Convention convention : Convention.values()) {
            FakeTritonServer triton = hermesModel(convention);
            ModelBackend backend = backend(triton, convention, Map.of("tool-calling", "hermes"));
            Recorder recorder = stream(backend, call(triton.model(), List.of(ChatMessage.user(QUESTION)), WEATHER_TOOLS));

            assertThat(recorder.failures).isEmpty();
            assertThat(recorder.completions).containsExactly(FinishReason.TOOL_CALLS);
            List<ToolCallDelta> fragments = recorder.deltas.stream().flatMap(d -> d.toolCalls().stream()).toList();
            assertThat(fragments.get(0).opens()).isTrue();
            assertThat(fragments.get(0).index()).isZero();
            assertThat(fragments.get(0).id()).matches("call_[A-Za-z0-9]{24}");
            assertThat(fragments.get(0).name()).isEqualTo("get_weather");
            assertThat(fragments.subList(1, fragments.size())).as("arguments come in several pieces, as the model writes them")
                    .hasSizeGreaterThan(2).allMatch(f -> !f.opens() && f.index() == 0 && f.id() == null);
            Choice choice = assembled(recorder);
            assertThat(choice.content()).isEqualTo("I will ask the tool.");
            assertThat(choice.toolCalls()).singleElement().satisfies(call -> {
                assertThat(call.name()).isEqualTo("get_weather");
                assertThat(call.arguments()).isEqualTo("{\"city\": \"Weather in Paris?\"}");
            });
            String prompt = triton.requests().get(0).text("text_input");
            assertThat(prompt).contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"");
        }
    }

    @Test
    void aWholeAnswerCarriesTheCallsAndAToolLoopEndsInWords() throws Exception {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes"));
        List<ChatMessage> history = new ArrayList<>(List.of(ChatMessage.system("Be brief."), ChatMessage.user(QUESTION)));

        Completion first = backend.complete(call(triton.model(), history, WEATHER_TOOLS)).get(5, TimeUnit.SECONDS);
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.first().toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).startsWith("call_");
            assertThat(c.name()).isEqualTo("get_weather");
        });
        ToolCall made = first.first().toolCalls().get(0);

        history.add(ChatMessage.assistantToolCalls(null, List.of(made)));
        history.add(ChatMessage.toolResult(made.id(), "{\"temp\": 18, \"sky\": \"clear\"}"));
        Recorder second = stream(backend, call(triton.model(), history, WEATHER_TOOLS));
        assertThat(second.completions).containsExactly(FinishReason.STOP);
        assertThat(second.text()).isEqualTo("The tool says: {\"temp\": 18, \"sky\": \"clear\"}");
        assertThat(second.deltas).allMatch(d -> d.toolCalls().isEmpty());
        assertThat(triton.requests().get(1).text("text_input")).contains(
                "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Weather in Paris?\"}}\n</tool_call><|im_end|>\n"
                        + "<|im_start|>user\n<tool_response>\n{\"temp\": 18, \"sky\": \"clear\"}\n</tool_response><|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void aNamedToolChoiceStartsTheCallInThePrompt() throws Exception {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes"));
        ToolSpec named = new ToolSpec(WEATHER_TOOLS.tools(),
                Optional.of(new ToolChoice("function", "get_weather", "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")),
                Optional.empty(), false);
        Recorder recorder = stream(backend, call(triton.model(), List.of(ChatMessage.user(QUESTION)), named));
        assertThat(triton.requests().get(0).text("text_input")).endsWith("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": ");
        assertThat(recorder.text()).isEmpty();
        assertThat(assembled(recorder).toolCalls()).singleElement()
                .satisfies(c -> assertThat(c.arguments()).isEqualTo("{\"city\": \"Weather in Paris?\"}"));
        assertThat(recorder.deltas.get(0).toolCalls().get(0).opens()).as("the call opens with the model's first text").isTrue();
    }

    @Test
    void withoutParallelCallsTheAnswerEndsAfterTheFirstCallAndTheGenerationIsCancelled() throws Exception {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes"));
        String two = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"A\"}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"B\"}}\n</tool_call>";
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < two.length(); i += 6) {
            pieces.add(two.substring(i, Math.min(two.length(), i + 6)));
        }
        triton.enqueue(TritonBehavior.answer(pieces.toArray(String[]::new)).withPieceDelay(java.time.Duration.ofMillis(5)));
        ToolSpec single = new ToolSpec(WEATHER_TOOLS.tools(), Optional.empty(), Optional.of(false), false);
        Recorder recorder = stream(backend, call(triton.model(), List.of(ChatMessage.user(QUESTION)), single));
        assertThat(recorder.completions).containsExactly(FinishReason.TOOL_CALLS);
        assertThat(assembled(recorder).toolCalls()).singleElement().satisfies(c -> assertThat(c.arguments()).isEqualTo("{\"city\": \"A\"}"));
        ModelBackendContract.awaitTrue(() -> triton.abandonedCalls() == 1, java.time.Duration.ofSeconds(5)); // the rest of the generation was cancelled
    }

    @Test
    void theLegacyFunctionsFormAnswersWithOneFunctionCall() throws Exception {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes"));
        ToolSpec legacy = new ToolSpec(WEATHER_TOOLS.tools(), Optional.empty(), Optional.empty(), true);
        Recorder recorder = stream(backend, call(triton.model(), List.of(ChatMessage.user(QUESTION)), legacy));
        assertThat(recorder.completions).containsExactly(FinishReason.FUNCTION_CALL);
        List<Delta> calls = recorder.deltas.stream().filter(d -> d.functionCall() != null).toList();
        assertThat(calls.get(0).functionCall().name()).isEqualTo("get_weather");
        assertThat(recorder.deltas).allMatch(d -> d.toolCalls().isEmpty());
        Choice choice = assembled(recorder);
        assertThat(choice.functionCall().arguments()).isEqualTo("{\"city\": \"Weather in Paris?\"}");
    }

    @Test
    void aModelWithoutToolCallingSaysSoAndRefusesTools() throws Exception {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of());
        ModelCapabilities capabilities = backend.capabilities(triton.model());
        assertThat(capabilities.unsupported()).contains(Capability.TOOLS);
        Recorder recorder = stream(backend, call(triton.model(), List.of(ChatMessage.user(QUESTION)), WEATHER_TOOLS));
        assertThat(recorder.failures).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo(FailureKind.CLIENT_ERROR);
            assertThat(f.message()).contains("vllm_model").contains("cannot call tools");
        });
        assertThat(triton.requests()).isEmpty();

        ModelBackend tooling = backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes"));
        assertThat(tooling.capabilities(triton.model()).supported()).contains(Capability.TOOLS);
        assertThat(tooling.capabilities(triton.model()).parameters().accepts("parallel_tool_calls")).isTrue();
    }

    @Test
    void hermesNeedsTheChatmlTemplateAndModelsMayDifferPerEntry() {
        FakeTritonServer triton = hermesModel(Convention.VLLM);
        assertThatThrownBy(() -> backend(triton, Convention.VLLM, Map.of("tool-calling", "hermes", "chat-template", "llama3")))
                .hasMessageContaining("meridian.backends.tools.tool-calling: hermes needs chat-template: chatml");
        assertThatThrownBy(() -> backend(triton, Convention.VLLM, Map.of("tool-calling", "json")))
                .hasMessageContaining("meridian.backends.tools.tool-calling must be one of hermes, none, not 'json'");
        assertThatThrownBy(() -> backend(triton, Convention.VLLM, Map.of("models[0].name", "x", "models[0].tool-caling", "hermes")))
                .hasMessageContaining("meridian.backends.tools.models[0].tool-caling is not a key");
        ModelBackend backend = backend(triton, Convention.VLLM, Map.of(
                "models[0].name", "qwen_tools", "models[0].tool-calling", "hermes", "models[0].context-window", "32768",
                "models[0].max-output-tokens", "8192"));
        assertThat(backend.capabilities("qwen_tools").describe()).containsEntry("tools", true).containsEntry("context_window", 32768)
                .containsEntry("max_output_tokens", 8192).containsEntry("vision", false);
        assertThat(backend.capabilities(triton.model()).describe()).containsEntry("tools", false).doesNotContainKey("context_window");
    }
}
