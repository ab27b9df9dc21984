package ai.meridian.adapter.out.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.routing.Capability;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.UpstreamBehavior;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text completions through an OpenAI-compatible upstream: a real {@code POST /completions} with the raw prompt(s) and
 * the Completions API's own fields, answers and stream chunks read from {@code choices[].text}; whether a backend
 * serves them is its {@code text-completions} setting, which a model's declaration overrides.
 */
class TextCompletionsTest {
    private FakeOpenAiUpstream upstream;
    private OpenAiBackendFactory factory;

    @BeforeEach
    void start() {
        upstream = FakeOpenAiUpstream.start();
        factory = new OpenAiBackendFactory();
    }

    @AfterEach
    void stop() {
        factory.close();
        upstream.close();
    }

    private OpenAiCompatibleBackend backend(Map<String, String> extra) {
        Map<String, String> properties = new LinkedHashMap<>(OpenAiBackendContractTest.settings("text", upstream.baseUrl()).properties());
        properties.put("model-discovery", "false");
        properties.putAll(extra);
        return (OpenAiCompatibleBackend) factory.create(new BackendSettings("text", "openai", properties));
    }

    private static BackendCall textCall(List<String> prompts, GenerationParams params) {
        List<ChatMessage> messages = new java.util.ArrayList<>();
        messages.add(ChatMessage.system("[1] Sources."));
        prompts.forEach(p -> messages.add(ChatMessage.user(p)));
        return new BackendCall("req-t", "gpt-3.5-turbo-instruct", messages, params, null, List.of(), null, java.util.Map.of(), true);
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    @Test
    void aWholeTextCompletionIsARealCompletionsCall() throws Exception {
        try (OpenAiCompatibleBackend backend = backend(Map.of())) {
            upstream.enqueue(UpstreamBehavior.answer(" blue", "."));
            GenerationParams params = new GenerationParams(0.2, null, 7, List.of("\n"), null, "u-1", null, null, null, 2, true, 3,
                    ordered("echo", "true", "suffix", "\"!\"", "best_of", "3"), "max_completion_tokens");
            Completion completion = backend.complete(textCall(List.of("The sky is"), params)).get(5, TimeUnit.SECONDS);
            assertThat(completion.content()).isEqualTo(" blue.");
            assertThat(completion.finishReason()).isEqualTo(FinishReason.STOP);
            FakeOpenAiUpstream.RecordedRequest request = upstream.requests().get(0);
            assertThat(request.path()).isEqualTo("/v1/completions");
            assertThat(request.body()).isEqualTo("{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"[1] Sources.\\n\\nThe sky is\","
                    + "\"temperature\":0.2,\"max_tokens\":7,\"stop\":[\"\\n\"],\"user\":\"u-1\",\"n\":2,\"logprobs\":3,"
                    + "\"echo\":true,\"suffix\":\"!\",\"best_of\":3}");
        }
    }

    @Test
    void severalPromptsGoAsAnArrayAndAStreamIsReadFromItsText() throws Exception {
        try (OpenAiCompatibleBackend backend = backend(Map.of())) {
            upstream.enqueue(UpstreamBehavior.answer("one", " two"));
            ModelBackendContract.Recorder recorder = new ModelBackendContract.Recorder();
            backend.stream(textCall(List.of("a", "b"), GenerationParams.DEFAULTS), recorder);
            recorder.awaitEnd();
            assertThat(recorder.text()).isEqualTo("one two");
            assertThat(recorder.completions).containsExactly(FinishReason.STOP);
            assertThat(recorder.usages.get(0)).isPresent();
            String body = upstream.requests().get(0).body();
            assertThat(body).startsWith("{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":[\"[1] Sources.\\n\\na\",\"[1] Sources.\\n\\nb\"],"
                    + "\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        }
    }

    @Test
    void textCompletionsAreDeclaredForEveryModelUnlessConfiguredOff() {
        try (OpenAiCompatibleBackend on = backend(Map.of());
             OpenAiCompatibleBackend off = backend(Map.of("text-completions", "false",
                     "models[0].name", "instruct", "models[0].capabilities", "text_completion"))) {
            assertThat(on.capabilities("anything").supported()).contains(Capability.TEXT_COMPLETION);
            assertThat(off.capabilities("anything").unsupported()).contains(Capability.TEXT_COMPLETION);
            assertThat(off.capabilities("instruct").supported()).as("a model's declaration wins").contains(Capability.TEXT_COMPLETION);
        }
    }

    @Test
    void chatCallsAreUnchanged() throws Exception {
        try (OpenAiCompatibleBackend backend = backend(Map.of())) {
            upstream.enqueue(UpstreamBehavior.answer("hi"));
            backend.complete(new BackendCall("req-c", "m", List.of(ChatMessage.user("hi")), GenerationParams.DEFAULTS, null))
                    .get(5, TimeUnit.SECONDS);
            assertThat(upstream.requests().get(0).path()).isEqualTo("/v1/chat/completions");
        }
    }
}
