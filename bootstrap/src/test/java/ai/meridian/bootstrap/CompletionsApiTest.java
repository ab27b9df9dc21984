package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The legacy Completions API ({@code POST /v1/completions}) through the whole gateway: a real {@code /completions}
 * call upstream with the raw prompt and the Completions API's own fields, answers and streams in its shape, routing
 * that skips backends that do not serve raw prompts, fallback, grounding, and bad input answered in OpenAI's error
 * shape without reaching any upstream.
 */
class CompletionsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream primary;
    private static FakeOpenAiUpstream secondary;
    private static FakeOpenAiUpstream chatOnly;
    private static FakeQuarkSearch quark;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        primary = FakeOpenAiUpstream.start();
        secondary = FakeOpenAiUpstream.start();
        chatOnly = FakeOpenAiUpstream.start();
        quark = FakeQuarkSearch.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of(
                "vllm", TestGateway.openAiBackend(primary.baseUrl(), Map.of()),
                "spare", TestGateway.openAiBackend(secondary.baseUrl(), Map.of()),
                "chatty", TestGateway.openAiBackend(chatOnly.baseUrl(), Map.of("text-completions", false))));
        meridian.put("models", List.of(
                Map.of("id", "instruct", "routes", List.of(TestGateway.route("vllm", "gpt-3.5-turbo-instruct")),
                        "retry", TestGateway.fastRetry(1),
                        "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("spare", "small-instruct"))))),
                Map.of("id", "skips-chat-only", "routes", List.of(TestGateway.route("chatty", "chat-model"))),
                Map.of("id", "mixed", "routes", List.of(TestGateway.route("chatty", "chat-model"), TestGateway.route("vllm", "base-model"))),
                Map.of("id", "instruct-online", "base", "instruct", "grounding", Map.of("web-search", true))));
        meridian.put("web-search", Map.of("provider", "quark", "quark", Map.of("endpoint", quark.endpoint(), "api-key", "k")));
        meridian.put("retrieval", Map.of("web-timeout", "1s", "fetch-timeout", "1s"));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        primary.close();
        secondary.close();
        chatOnly.close();
        quark.close();
    }

    @AfterEach
    void reset() {
        primary.reset();
        secondary.reset();
        chatOnly.reset();
    }

    @Test
    void aWholeCompletionIsAnsweredInTheCompletionsShape() throws Exception {
        primary.enqueue(UpstreamBehavior.answer(" blue", " today."));
        HttpResponse<String> response = gateway.post("/v1/completions", "{\"model\":\"instruct\",\"prompt\":\"The sky is\","
                + "\"max_tokens\":5,\"temperature\":0.1,\"stop\":\"\\n\",\"echo\":false,\"suffix\":\"!\",\"best_of\":2,\"logprobs\":2,"
                + "\"user\":\"u\",\"logit_bias\":{\"50256\":-100},\"top_k\":4}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-backend")).hasValue("vllm");
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").asText()).startsWith("cmpl-");
        assertThat(body.get("object").asText()).isEqualTo("text_completion");
        assertThat(body.get("model").asText()).isEqualTo("instruct");
        assertThat(body.at("/choices/0/text").asText()).isEqualTo(" blue today.");
        assertThat(body.at("/choices/0/index").asInt()).isZero();
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(body.at("/choices/0").has("logprobs")).isTrue();
        assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(11);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(13);

        FakeOpenAiUpstream.RecordedRequest sent = primary.requests().get(0);
        assertThat(sent.path()).isEqualTo("/v1/completions");
        assertThat(JSON.readTree(sent.body())).isEqualTo(JSON.readTree("{\"model\":\"gpt-3.5-turbo-instruct\",\"prompt\":\"The sky is\","
                + "\"temperature\":0.1,\"max_tokens\":5,\"stop\":[\"\\n\"],\"user\":\"u\",\"logprobs\":2,\"echo\":false,\"suffix\":\"!\","
                + "\"best_of\":2,\"logit_bias\":{\"50256\":-100},\"top_k\":4}"));
    }

    @Test
    void aStreamIsTheCompletionsChunksThenUsageThenDone() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Once", " upon", " a time"));
        HttpResponse<String> response = gateway.post("/v1/completions",
                "{\"model\":\"instruct\",\"prompt\":[\"Tell a story:\"],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
        List<String> data = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream().map(CompletionsApiTest::read).toList();
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            assertThat(chunk.get("id").asText()).startsWith("cmpl-");
            chunk.get("choices").forEach(c -> text.append(c.get("text").asText()));
        }
        assertThat(text).hasToString("Once upon a time");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(3);
        assertThat(primary.requests().get(0).body()).contains("\"prompt\":\"Tell a story:\"").contains("\"stream\":true");
    }

    @Test
    void severalPromptsGoUpstreamAsAnArray() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("x"));
        HttpResponse<String> response = gateway.post("/v1/completions", "{\"model\":\"instruct\",\"prompt\":[\"a\",\"b\"],\"n\":2}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JSON.readTree(primary.requests().get(0).body()).get("prompt").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(JSON.readTree(primary.requests().get(0).body()).get("n").asInt()).isEqualTo(2);
    }

    @Test
    void aFailingBackendFallsBackToTheNextTier() throws Exception {
        primary.enqueue(UpstreamBehavior.status(503, "overloaded"));
        secondary.enqueue(UpstreamBehavior.answer("from the spare"));
        HttpResponse<String> response = gateway.post("/v1/completions", "{\"model\":\"instruct\",\"prompt\":\"hi\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-fallback-tier")).hasValue("1");
        assertThat(JSON.readTree(response.body()).at("/choices/0/text").asText()).isEqualTo("from the spare");
        assertThat(secondary.requests().get(0).path()).isEqualTo("/v1/completions");
        assertThat(secondary.requests().get(0).body()).contains("\"model\":\"small-instruct\"");
    }

    @Test
    void backendsThatDoNotServeRawPromptsAreSkippedAndWithNoneLeftTheClientIsToldWhy() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("base"));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> mixed = gateway.post("/v1/completions", "{\"model\":\"mixed\",\"prompt\":\"hi\"}");
            assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(200);
            primary.enqueue(UpstreamBehavior.answer("base"));
        }
        assertThat(chatOnly.requests()).isEmpty();
        HttpResponse<String> none = gateway.post("/v1/completions", "{\"model\":\"skips-chat-only\",\"prompt\":\"hi\"}");
        assertThat(none.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(none.body()).get("error");
        assertThat(error.get("param").asText()).isEqualTo("prompt");
        assertThat(error.get("message").asText()).contains("backend 'chatty'").contains("raw text prompts");
        assertThat(chatOnly.requests()).isEmpty();
    }

    @Test
    void aGroundedCompletionCarriesItsSourcesAndTheModelSeesThem() throws Exception {
        primary.enqueue(UpstreamBehavior.answer(" a gateway [1]."));
        HttpResponse<String> response = gateway.post("/v1/completions", "{\"model\":\"instruct-online\",\"prompt\":\"Meridian is\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("citations")).extracting(JsonNode::asText).contains("https://meridian.example/docs");
        assertThat(body.get("search_results").get(0).get("title").asText()).isEqualTo("Meridian gateway");
        String prompt = JSON.readTree(primary.requests().get(0).body()).get("prompt").asText();
        assertThat(prompt).contains("https://meridian.example/docs").endsWith("\n\nMeridian is");
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("not JSON", "{\"model\":", 400, null, "invalid_json"),
                Arguments.of("an array", "[]", 400, null, "invalid_json"),
                Arguments.of("model missing", "{\"prompt\":\"hi\"}", 400, "model", "missing_required_parameter"),
                Arguments.of("model a number", "{\"model\":7,\"prompt\":\"hi\"}", 400, "model", "invalid_type"),
                Arguments.of("prompt missing", "{\"model\":\"instruct\"}", 400, "prompt", "missing_required_parameter"),
                Arguments.of("prompt an object", "{\"model\":\"instruct\",\"prompt\":{}}", 400, "prompt", "invalid_type"),
                Arguments.of("prompt empty array", "{\"model\":\"instruct\",\"prompt\":[]}", 400, "prompt", "empty_array"),
                Arguments.of("prompt of token ids", "{\"model\":\"instruct\",\"prompt\":[1,2,3]}", 400, "prompt", "unsupported_parameter"),
                Arguments.of("prompts of token ids", "{\"model\":\"instruct\",\"prompt\":[[1,2],[3]]}", 400, "prompt", "unsupported_parameter"),
                Arguments.of("a prompt not a string", "{\"model\":\"instruct\",\"prompt\":[\"a\",true]}", 400, "prompt[1]", "invalid_type"),
                Arguments.of("max_tokens text", "{\"model\":\"instruct\",\"prompt\":\"a\",\"max_tokens\":\"5\"}", 400, "max_tokens", "invalid_type"),
                Arguments.of("max_tokens huge", "{\"model\":\"instruct\",\"prompt\":\"a\",\"max_tokens\":99999999999999}", 400, "max_tokens", "invalid_value"),
                Arguments.of("temperature out of range", "{\"model\":\"instruct\",\"prompt\":\"a\",\"temperature\":3}", 400, "temperature", null),
                Arguments.of("logprobs a boolean", "{\"model\":\"instruct\",\"prompt\":\"a\",\"logprobs\":true}", 400, "logprobs", "invalid_type"),
                Arguments.of("logprobs too many", "{\"model\":\"instruct\",\"prompt\":\"a\",\"logprobs\":99}", 400, "logprobs", "invalid_value"),
                Arguments.of("echo a string", "{\"model\":\"instruct\",\"prompt\":\"a\",\"echo\":\"yes\"}", 400, "echo", "invalid_type"),
                Arguments.of("suffix a number", "{\"model\":\"instruct\",\"prompt\":\"a\",\"suffix\":1}", 400, "suffix", "invalid_type"),
                Arguments.of("best_of zero", "{\"model\":\"instruct\",\"prompt\":\"a\",\"best_of\":0}", 400, "best_of", "invalid_value"),
                Arguments.of("five stops", "{\"model\":\"instruct\",\"prompt\":\"a\",\"stop\":[\"1\",\"2\",\"3\",\"4\",\"5\"]}", 400, "stop", null),
                Arguments.of("n times prompts too many", "{\"model\":\"instruct\",\"prompt\":[\"a\",\"b\"],\"n\":100}", 400, "n", "invalid_value"),
                Arguments.of("stream_options without stream", "{\"model\":\"instruct\",\"prompt\":\"a\",\"stream_options\":{\"include_usage\":true}}", 400, "stream_options", null),
                Arguments.of("conversation_id", "{\"model\":\"instruct\",\"prompt\":\"a\",\"conversation_id\":\"new\"}", 400, "conversation_id", "unsupported_parameter"),
                Arguments.of("nesting bomb", "{\"model\":\"instruct\",\"prompt\":\"a\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, null, "invalid_json"),
                Arguments.of("unknown model", "{\"model\":\"gpt-99\",\"prompt\":\"a\"}", 404, "model", "model_not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsAClearOpenAiErrorAndReachesNoUpstream(String name, String body, int status, String param, String code) throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            String sent = stream && body.startsWith("{\"model\"") && !body.contains("stream") ? body.replaceFirst("\\{", "{\"stream\":true,") : body;
            BadInputTest.assertOpenAiError(gateway.post("/v1/completions", sent), status, param, code);
        }
        assertThat(primary.requests()).isEmpty();
    }

    @Test
    void invalidUtf8AndHugeBodiesAreRefused() throws Exception {
        byte[] prefix = "{\"model\":\"instruct\",\"prompt\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(prefix, prefix.length + 4);
        body[prefix.length] = (byte) 0xff;
        body[prefix.length + 1] = (byte) 0xfe;
        body[prefix.length + 2] = '"';
        body[prefix.length + 3] = '}';
        BadInputTest.assertOpenAiError(gateway.postBytes("/v1/completions", body), 400, null, "invalid_json");
        byte[] big = new byte[10 * 1024 * 1024 + 100];
        Arrays.fill(big, (byte) 'a');
        System.arraycopy(prefix, 0, big, 0, prefix.length);
        BadInputTest.assertOpenAiError(gateway.postBytes("/v1/completions", big), 413, null, "request_too_large");
        BadInputTest.assertOpenAiError(gateway.post("/v1/completions", "{\"model\":\"instruct\",\"prompt\":\"a\"}", "authorization", "Bearer nope"),
                401, null, "invalid_api_key");
        assertThat(primary.requests()).isEmpty();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(json, e);
        }
    }
}
