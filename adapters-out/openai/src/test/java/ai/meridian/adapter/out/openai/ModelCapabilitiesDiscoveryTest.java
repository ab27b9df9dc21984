package ai.meridian.adapter.out.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.ModelBackendContract;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What configuration declares and the upstream's model list says about each model, merged. */
class ModelCapabilitiesDiscoveryTest {
    private static final String VLLM_LIST = "{\"object\":\"list\",\"data\":[{\"id\":\"Qwen/Qwen2.5-VL-7B-Instruct\",\"object\":\"model\","
            + "\"created\":1,\"owned_by\":\"vllm\",\"root\":\"Qwen/Qwen2.5-VL-7B-Instruct\",\"parent\":null,\"max_model_len\":32768,"
            + "\"permission\":[{\"id\":\"modelperm-1\",\"object\":\"model_permission\"}]}]}";
    private static final String OPENROUTER_LIST = "{\"data\":[{\"id\":\"deepseek/deepseek-v4-flash\",\"canonical_slug\":\"deepseek/deepseek-v4-flash\","
            + "\"context_length\":1048576,\"architecture\":{\"modality\":\"text->text\",\"input_modalities\":[\"text\"],\"output_modalities\":[\"text\"]},"
            + "\"top_provider\":{\"context_length\":1048576,\"max_completion_tokens\":393216,\"is_moderated\":false},"
            + "\"supported_parameters\":[\"max_tokens\",\"temperature\",\"tools\",\"tool_choice\",\"reasoning\",\"response_format\",\"seed\"]},"
            + "{\"id\":\"qwen/qwen2.5-vl-72b\",\"context_length\":32000,\"architecture\":{\"input_modalities\":[\"text\",\"image\"]},"
            + "\"supported_parameters\":[\"max_tokens\",\"temperature\"]}]}";
    private static final String DEEPSEEK_LIST = "{\"object\":\"list\",\"data\":[{\"id\":\"deepseek-v4-flash\",\"object\":\"model\",\"owned_by\":\"deepseek\"},"
            + "{\"id\":\"deepseek-v4-pro\",\"object\":\"model\",\"owned_by\":\"deepseek\"}]}";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static List<ModelListing.Listed> parse(String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return ModelListing.parse(bytes, bytes.length);
    }

    @Test
    void vllmSaysTheContextWindowItServesTheModelWith() throws IOException {
        List<ModelListing.Listed> listed = parse(VLLM_LIST);
        assertThat(listed).singleElement().satisfies(m -> {
            assertThat(m.id()).isEqualTo("Qwen/Qwen2.5-VL-7B-Instruct");
            assertThat(m.capabilities().contextWindow()).isEqualTo(32768);
            assertThat(m.capabilities().supported()).isEmpty();
            assertThat(m.capabilities().unsupported()).isEmpty();
        });
    }

    @Test
    void openRouterSaysModalitiesParametersAndSizes() throws IOException {
        List<ModelListing.Listed> listed = parse(OPENROUTER_LIST);
        ModelCapabilities flash = listed.get(0).capabilities();
        assertThat(flash.contextWindow()).isEqualTo(1048576);
        assertThat(flash.maxOutputTokens()).isEqualTo(393216);
        assertThat(flash.supported()).containsExactlyInAnyOrder(Capability.TOOLS, Capability.REASONING, Capability.JSON_OBJECT);
        assertThat(flash.unsupported()).containsExactlyInAnyOrder(Capability.VISION, Capability.AUDIO, Capability.FILES,
                Capability.JSON_SCHEMA, Capability.LOGPROBS);
        ModelCapabilities vl = listed.get(1).capabilities();
        assertThat(vl.supported()).containsExactly(Capability.VISION);
        assertThat(vl.unsupported()).contains(Capability.TOOLS, Capability.AUDIO);
    }

    @Test
    void listsOfIdsOnlySayNothingAndNonListsAreRefused() throws IOException {
        assertThat(parse(DEEPSEEK_LIST)).extracting(ModelListing.Listed::id).containsExactly("deepseek-v4-flash", "deepseek-v4-pro");
        assertThat(parse(DEEPSEEK_LIST)).allMatch(m -> m.capabilities() == ModelCapabilities.UNKNOWN);
        assertThatThrownBy(() -> parse("[1,2]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> parse("{\"object\":\"list\"}")).hasMessageContaining("no 'data' array");
        assertThatThrownBy(() -> parse("{\"data\":[{\"id\":")).isInstanceOf(IOException.class);
    }

    private OpenAiCompatibleBackend backend(String baseUrl, Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of("base-url", baseUrl, "connect-timeout", "1s"));
        properties.putAll(extra);
        OpenAiBackendFactory factory = new OpenAiBackendFactory();
        OpenAiCompatibleBackend backend = (OpenAiCompatibleBackend) factory.create(new BackendSettings("vllm", "openai", properties));
        open.add(0, factory);
        open.add(0, backend);
        return backend;
    }

    @Test
    void configurationOverridesTheListingAndParameterRulesNarrowIt() throws Exception {
        FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start().modelList(200, VLLM_LIST);
        open.add(upstream);
        OpenAiCompatibleBackend backend = backend(upstream.baseUrl(), Map.of(
                "models[0].name", "Qwen/Qwen2.5-VL-7B-Instruct",
                "models[0].capabilities[0]", "tools", "models[0].capabilities[1]", "vision",
                "models[0].unsupported", "audio, files",
                "models[0].max-output-tokens", "8192",
                "models[1].name", "llama3.1:8b", "models[1].context-window", "131072",
                "parameters.deny[0]", "logit_bias"));
        ModelBackendContract.awaitTrue(() -> backend.capabilities("Qwen/Qwen2.5-VL-7B-Instruct").contextWindow() == 32768, Duration.ofSeconds(5));
        ModelCapabilities qwen = backend.capabilities("Qwen/Qwen2.5-VL-7B-Instruct");
        assertThat(qwen.describe()).containsEntry("tools", true).containsEntry("vision", true).containsEntry("audio", false)
                .containsEntry("files", false).containsEntry("context_window", 32768).containsEntry("max_output_tokens", 8192);
        assertThat(qwen.parameters().accepts("logit_bias")).isFalse();
        assertThat(qwen.parameters().accepts("top_k")).isTrue();
        assertThat(backend.capabilities("llama3.1:8b").contextWindow()).isEqualTo(131072);
        ModelCapabilities unlisted = backend.capabilities("something-else");
        assertThat(unlisted.describe()).as("only what the backend itself does").isEqualTo(Map.of("text_completion", true));
        assertThat(unlisted.parameters().accepts("logit_bias")).isFalse();
        assertThat(backend.listedModels()).containsExactly("Qwen/Qwen2.5-VL-7B-Instruct");
        assertThat(upstream.modelListRequests()).singleElement().satisfies(r -> assertThat(r.method()).isEqualTo("GET"));
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void aBackendWithoutDeclarationsOrListedDetailsKnowsOnlyWhatItDoesItself() throws Exception {
        FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start().modelList(200, DEEPSEEK_LIST);
        open.add(upstream);
        OpenAiCompatibleBackend backend = backend(upstream.baseUrl(), Map.of());
        assertThat(backend.firstListing().get(5, java.util.concurrent.TimeUnit.SECONDS)).contains(List.of("deepseek-v4-flash", "deepseek-v4-pro"));
        ModelCapabilities flash = backend.capabilities("deepseek-v4-flash");
        assertThat(flash.describe()).as("nothing known of the model; the backend sends text completions").isEqualTo(Map.of("text_completion", true));
        assertThat(flash.parameters().acceptsAny()).isTrue();
    }

    @Test
    void anUnreachableUpstreamIsReportedOnceAndAskedAgainInTheBackground() throws Exception {
        List<LogRecord> warnings = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(OpenAiCompatibleBackend.class.getName());
        logger.addHandler(capture);
        try {
            FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start().modelList(503, "{\"error\":{\"message\":\"loading\"}}");
            open.add(upstream);
            OpenAiCompatibleBackend backend = backend(upstream.baseUrl(), Map.of("model-discovery-retry", "50ms"));
            assertThat(backend.firstListing().get(5, java.util.concurrent.TimeUnit.SECONDS)).as("start-up hears of the first failure").isEmpty();
            ModelBackendContract.awaitTrue(() -> upstream.modelListRequests().size() >= 3, Duration.ofSeconds(5));
            upstream.modelList(200, VLLM_LIST);
            ModelBackendContract.awaitTrue(() -> backend.capabilities("Qwen/Qwen2.5-VL-7B-Instruct").contextWindow() == 32768,
                    Duration.ofSeconds(5));
            assertThat(warnings).singleElement().satisfies(w -> assertThat(w.getMessage())
                    .contains("backend vllm").contains(upstream.baseUrl() + "/models").contains("HTTP 503"));
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void discoveryCanBeTurnedOffAndDeclarationsAreChecked() {
        FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start();
        open.add(upstream);
        OpenAiCompatibleBackend backend = backend(upstream.baseUrl(), Map.of("model-discovery", "false",
                "models[0].name", "m", "models[0].capabilities", "tools"));
        assertThat(backend.capabilities("m").supported()).containsExactlyInAnyOrder(Capability.TOOLS, Capability.TEXT_COMPLETION);
        assertThat(upstream.modelListRequests()).isEmpty();
        assertThatThrownBy(() -> backend(upstream.baseUrl(), Map.of("models[0].name", "m", "models[0].capabilities", "telepathy")))
                .hasMessageContaining("meridian.backends.vllm.models[0].capabilities: unknown capability 'telepathy'; known: tools, vision");
        assertThatThrownBy(() -> backend(upstream.baseUrl(), Map.of("models[0].name", "m", "models[0].context-windw", "8")))
                .hasMessageContaining("meridian.backends.vllm.models[0].context-windw is not a key of a model entry");
        assertThatThrownBy(() -> backend(upstream.baseUrl(), Map.of("models[0].name", "m", "models[0].capabilities", "tools",
                "models[0].unsupported", "tools"))).hasMessageContaining("both as capabilities and as unsupported");
        assertThatThrownBy(() -> backend(upstream.baseUrl(), Map.of("models[0].capabilities", "tools")))
                .hasMessageContaining("meridian.backends.vllm.models[0].name is required");
    }
}
