package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The field policy, one case per field: every Chat Completions request field reaches an OpenAI-compatible
 * upstream as the client wrote it (parser, domain values, the OpenAI wire writer), and every response field
 * reaches the client as the upstream wrote it, whole and streamed. Each case fails if its field is dropped
 * or changed on the way. The fields are those of the table in {@code docs/api.md}; a field documented there
 * without a case here fails {@link #everyDocumentedFieldHasACase}.
 */
class FieldPolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ASK = "{\"role\":\"user\",\"content\":\"Hi\"}";
    private static final String TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}},\"strict\":true}}";
    private static final String FUNCTION = "{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}";
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of(
                "up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of()),
                "renaming", TestGateway.openAiBackend(upstream.baseUrl(), Map.of("max-tokens-field", "max_completion_tokens",
                        "parameters", Map.of("rename", Map.of("guided_json", "structured_outputs"), "drop", List.of("keep_alive"),
                                "set", Map.of("top_k", "20")))),
                "strict", TestGateway.openAiBackend(upstream.baseUrl(), Map.of("parameters", Map.of("deny", List.of("thinking"))))));
        meridian.put("models", List.of(
                Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")), "retry", Map.of("max-attempts", 1)),
                Map.of("id", "renamed", "routes", List.of(TestGateway.route("renaming", "m")), "retry", Map.of("max-attempts", 1)),
                Map.of("id", "strict", "routes", List.of(TestGateway.route("strict", "m")), "retry", Map.of("max-attempts", 1))));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** Sends a request and returns the body the upstream received. */
    private static JsonNode forwarded(String model, String fields, String messages) {
        String body = "{\"model\":\"" + model + "\",\"messages\":[" + messages + "]" + (fields.isEmpty() ? "" : "," + fields) + "}";
        HttpResponse<String> response = gateway.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(200);
        assertThat(upstream.requests()).hasSize(1);
        return read(upstream.requests().get(0).body());
    }

    // ---- request: top-level fields ----

    /** Each top-level request field with a value, as the client sends it; the upstream must receive it equal. */
    static Stream<Arguments> requestFields() {
        return Stream.of(
                Arguments.of("temperature", "0.7"),
                Arguments.of("top_p", "0.9"),
                Arguments.of("max_tokens", "77"),
                Arguments.of("max_completion_tokens", "88"),
                Arguments.of("stop", "[\"END\",\"STOP\"]"),
                Arguments.of("seed", "42"),
                Arguments.of("user", "\"user-1\""),
                Arguments.of("response_format", "{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"object\"},\"strict\":true}}"),
                Arguments.of("presence_penalty", "0.25"),
                Arguments.of("frequency_penalty", "-0.5"),
                Arguments.of("n", "2"),
                Arguments.of("logprobs", "true"),
                Arguments.of("logit_bias", "{\"50256\":-100,\"11\":5}"),
                Arguments.of("modalities", "[\"text\",\"audio\"]"),
                Arguments.of("audio", "{\"voice\":\"alloy\",\"format\":\"wav\"}"),
                Arguments.of("prediction", "{\"type\":\"content\",\"content\":\"draft\"}"),
                Arguments.of("reasoning_effort", "\"low\""),
                Arguments.of("verbosity", "\"high\""),
                Arguments.of("service_tier", "\"flex\""),
                Arguments.of("store", "true"),
                Arguments.of("metadata", "{\"team\":\"search\"}"),
                Arguments.of("safety_identifier", "\"sid-1\""),
                Arguments.of("prompt_cache_key", "\"pck-1\""),
                Arguments.of("prompt_cache_retention", "\"24h\""),
                Arguments.of("web_search_options", "{\"search_context_size\":\"low\",\"user_location\":{\"type\":\"approximate\"}}"),
                Arguments.of("tools", "[" + TOOL + "]"),
                Arguments.of("parallel_tool_calls", "false"),
                Arguments.of("thinking", "{\"type\":\"enabled\",\"budget_tokens\":1024}"),
                Arguments.of("enable_thinking", "false"),
                Arguments.of("chat_template_kwargs", "{\"enable_thinking\":false}"),
                Arguments.of("top_k", "40"),
                Arguments.of("min_p", "0.05"),
                Arguments.of("repetition_penalty", "1.1"),
                Arguments.of("min_tokens", "5"),
                Arguments.of("guided_json", "{\"type\":\"object\"}"),
                Arguments.of("guided_choice", "[\"yes\",\"no\"]"),
                Arguments.of("guided_regex", "\"[a-z]+\""),
                Arguments.of("options", "{\"num_ctx\":4096}"),
                Arguments.of("keep_alive", "\"5m\""),
                Arguments.of("extra_body", "{\"provider\":{\"order\":[\"a\"]}}"),
                Arguments.of("x_unknown_vendor_field", "[1,{\"a\":null}]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestFields")
    void aRequestFieldReachesTheUpstreamAsWritten(String field, String value) {
        JsonNode received = forwarded("chat", "\"" + field + "\":" + value, ASK);
        assertThat(received.get(field)).as(field).isEqualTo(read(value));
    }

    /** Fields that come in pairs, or whose meaning depends on another field. */
    static Stream<Arguments> requestFieldsWithCompanions() {
        return Stream.of(
                Arguments.of("tool_choice", "\"tools\":[" + TOOL + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"),
                Arguments.of("tool_choice", "\"tools\":[" + TOOL + "],\"tool_choice\":\"required\""),
                Arguments.of("tool_choice", "\"tools\":[" + TOOL + "],\"tool_choice\":{\"type\":\"allowed_tools\",\"allowed_tools\":{\"mode\":\"auto\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}]}}"),
                Arguments.of("functions", "\"functions\":[" + FUNCTION + "],\"function_call\":{\"name\":\"get_weather\"}"),
                Arguments.of("function_call", "\"functions\":[" + FUNCTION + "],\"function_call\":\"auto\""),
                Arguments.of("stream", "\"stream\":true"),
                Arguments.of("top_logprobs", "\"logprobs\":true,\"top_logprobs\":3"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("requestFieldsWithCompanions")
    void aFieldThatComesWithAnotherReachesTheUpstreamAsWritten(String field, String fields) {
        JsonNode received = forwarded("chat", fields, ASK);
        JsonNode sent = read("{" + fields + "}");
        sent.fieldNames().forEachRemaining(name -> assertThat(received.get(name)).as(name).isEqualTo(sent.get(name)));
    }

    @Test
    void stopAsOneStringIsSentAsAListOfOne() {
        assertThat(forwarded("chat", "\"stop\":\"END\"", ASK).get("stop")).isEqualTo(read("[\"END\"]"));
    }

    @Test
    void streamOptionsIncludeUsageIsAnsweredByTheGatewayWhichAlwaysAsksTheUpstream() {
        upstream.enqueue(UpstreamBehavior.answer("a", "b"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[" + ASK + "]}");
        assertThat(response.body()).contains("\"choices\":[],\"usage\":{\"prompt_tokens\":11");
        assertThat(read(upstream.requests().get(0).body()).get("stream_options")).isEqualTo(read("{\"include_usage\":true}"));
        upstream.reset();
        HttpResponse<String> without = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"stream\":true,\"messages\":[" + ASK + "]}");
        assertThat(without.body()).doesNotContain("\"choices\":[]");
        assertThat(read(upstream.requests().get(0).body()).get("stream_options")).isEqualTo(read("{\"include_usage\":true}"));
    }

    @Test
    void anUnknownStreamOptionIsRefusedNamingIt() {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"stream\":true,\"stream_options\":{\"include_obfuscation\":false},\"messages\":[" + ASK + "]}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(read(response.body()).get("error").get("param").asText()).isEqualTo("stream_options.include_obfuscation");
        assertThat(upstream.requests()).isEmpty();
    }

    @Test
    void theGatewaysOwnFieldsAreConsumedNotForwarded() {
        JsonNode received = forwarded("chat", "\"web_search\":false,\"knowledge_bases\":[]", ASK);
        assertThat(received.has("web_search")).isFalse();
        assertThat(received.has("knowledge_bases")).isFalse();
        upstream.reset();
        JsonNode inConversation = forwarded("chat", "\"conversation_id\":\"new\"", ASK);
        assertThat(inConversation.has("conversation_id")).isFalse();
    }

    @Test
    void theModelIsTheRoutesUpstreamModel() {
        assertThat(forwarded("chat", "", ASK).get("model").asText()).isEqualTo("m");
    }

    // ---- request: backend rules ----

    @Test
    void maxTokensFieldRenamesTheLimitForUpstreamsThatNeedTheOtherName() {
        JsonNode received = forwarded("renamed", "\"max_tokens\":50", ASK);
        assertThat(received.get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(received.has("max_tokens")).isFalse();
    }

    @Test
    void parameterRulesRenameDropAndSetPassThroughFields() {
        JsonNode received = forwarded("renamed", "\"guided_json\":{\"type\":\"object\"},\"keep_alive\":\"5m\",\"top_k\":40,\"min_p\":0.1", ASK);
        assertThat(received.get("structured_outputs")).isEqualTo(read("{\"type\":\"object\"}"));
        assertThat(received.has("guided_json")).isFalse();
        assertThat(received.has("keep_alive")).isFalse();
        assertThat(received.get("top_k").asInt()).as("set wins over the client").isEqualTo(20);
        assertThat(received.get("min_p").asDouble()).isEqualTo(0.1);
    }

    @Test
    void aDeniedFieldIsA400NamingIt() {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"strict\",\"thinking\":{\"type\":\"enabled\"},\"messages\":[" + ASK + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(read(response.body()).get("error").get("param").asText()).isEqualTo("thinking");
        assertThat(upstream.requests()).isEmpty();
    }

    // ---- request: message fields ----

    /** Each message field: the messages sent, which message carries it, and the field. */
    static Stream<Arguments> messageFields() {
        String call = "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}";
        String assistantWithCall = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call + "]}";
        return Stream.of(
                Arguments.of("role", ASK, 0),
                Arguments.of("content", ASK, 0),
                Arguments.of("name", "{\"role\":\"user\",\"content\":\"Hi\",\"name\":\"ann\"}", 0),
                Arguments.of("content", "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\",\"cache_control\":{\"type\":\"ephemeral\"}}]}", 0),
                Arguments.of("content", "{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\",\"detail\":\"low\"}}]}", 0),
                Arguments.of("content", "{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"UklGRg==\",\"format\":\"wav\"}}]}", 0),
                Arguments.of("content", "{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\",\"filename\":\"a.pdf\"}}]}", 0),
                Arguments.of("content", ASK + "," + assistantWithCall, 1),
                Arguments.of("tool_calls", ASK + "," + assistantWithCall, 1),
                Arguments.of("tool_call_id", ASK + "," + assistantWithCall + ",{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}", 2),
                Arguments.of("content", ASK + "," + assistantWithCall + ",{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":[{\"type\":\"text\",\"text\":\"18C\"}]}", 2),
                Arguments.of("function_call", ASK + ",{\"role\":\"assistant\",\"content\":null,\"function_call\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}", 1),
                Arguments.of("name", ASK + ",{\"role\":\"function\",\"name\":\"get_weather\",\"content\":\"18C\"}", 1),
                Arguments.of("refusal", ASK + ",{\"role\":\"assistant\",\"content\":null,\"refusal\":\"No.\"}", 1),
                Arguments.of("audio", ASK + ",{\"role\":\"assistant\",\"content\":null,\"audio\":{\"id\":\"audio_1\"}}", 1),
                Arguments.of("reasoning_content", ASK + ",{\"role\":\"assistant\",\"content\":\"Hello\",\"reasoning_content\":\"Greet.\"}", 1),
                Arguments.of("prefix", ASK + ",{\"role\":\"assistant\",\"content\":\"Sure, \",\"prefix\":true}", 1),
                Arguments.of("content", "{\"role\":\"system\",\"content\":\"Be brief.\"}," + ASK, 0));
    }

    @ParameterizedTest(name = "messages[{2}].{0}: {1}")
    @MethodSource("messageFields")
    void aMessageFieldReachesTheUpstreamAsWritten(String field, String messages, int index) {
        JsonNode received = forwarded("chat", "", messages);
        JsonNode sent = read("[" + messages + "]").get(index);
        assertThat(received.get("messages").get(index).get(field)).as(field).isEqualTo(sent.get(field));
    }

    @Test
    void aDeveloperMessageIsSentAsSystem() {
        JsonNode received = forwarded("chat", "", "{\"role\":\"developer\",\"content\":\"Be brief.\"}," + ASK);
        assertThat(received.get("messages").get(0)).isEqualTo(read("{\"role\":\"system\",\"content\":\"Be brief.\"}"));
    }

    // ---- response: whole answers ----

    private static final String ANSWER = """
            {"id":"chatcmpl-up","object":"chat.completion","created":1,"model":"m-2026","system_fingerprint":"fp_1","service_tier":"default",
             "choices":[{"index":0,"message":{"role":"assistant","content":"Hi","refusal":"No.","reasoning_content":"Think.",
                          "tool_calls":[{"id":"call_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}],
                          "function_call":{"name":"legacy","arguments":"{}"},
                          "annotations":[{"type":"url_citation","url_citation":{"url":"https://example.com","title":"E","start_index":0,"end_index":2}}],
                          "audio":{"id":"audio_1","data":"UklGRg==","expires_at":1,"transcript":"Hi"}},
                        "logprobs":{"content":[{"token":"Hi","logprob":-0.1,"bytes":[72,105],"top_logprobs":[]}],"refusal":null},
                        "finish_reason":"insufficient_system_resource","stop_reason":"END"},
                        {"index":1,"message":{"role":"assistant","content":"Second"},"logprobs":null,"finish_reason":"length"}],
             "usage":{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52,
                      "prompt_tokens_details":{"cached_tokens":32,"audio_tokens":0},
                      "completion_tokens_details":{"reasoning_tokens":5,"audio_tokens":0,"accepted_prediction_tokens":1,"rejected_prediction_tokens":2},
                      "prompt_cache_hit_tokens":32,"prompt_cache_miss_tokens":8},
             "kv_transfer_params":{"k":1}}
            """;

    static Stream<String> responseFields() {
        return Stream.of("/system_fingerprint", "/service_tier", "/kv_transfer_params", "/choices/0/index", "/choices/1/index",
                "/choices/0/message/role", "/choices/0/message/content", "/choices/0/message/refusal", "/choices/0/message/reasoning_content",
                "/choices/0/message/tool_calls", "/choices/0/message/function_call", "/choices/0/message/annotations",
                "/choices/0/message/audio", "/choices/0/logprobs", "/choices/1/logprobs", "/choices/0/finish_reason",
                "/choices/1/finish_reason", "/choices/0/stop_reason", "/choices/1/message/content",
                "/usage/prompt_tokens", "/usage/completion_tokens", "/usage/total_tokens", "/usage/prompt_tokens_details",
                "/usage/completion_tokens_details", "/usage/prompt_cache_hit_tokens", "/usage/prompt_cache_miss_tokens");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responseFields")
    void aResponseFieldReachesTheClientAsWritten(String pointer) {
        upstream.enqueue(UpstreamBehavior.verbatim(ANSWER, null));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"n\":2,\"messages\":[" + ASK + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(read(response.body()).at(pointer)).as(pointer).isEqualTo(read(ANSWER).at(pointer));
    }

    @Test
    void theGatewayAnswersUnderItsOwnIdTimeAndThePublicModelName() {
        upstream.enqueue(UpstreamBehavior.verbatim(ANSWER, null));
        JsonNode answer = read(gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[" + ASK + "]}").body());
        assertThat(answer.get("id").asText()).startsWith("chatcmpl-").isNotEqualTo("chatcmpl-up");
        assertThat(answer.get("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.get("created").asLong()).isGreaterThan(1);
        assertThat(answer.get("model").asText()).isEqualTo("chat");
    }

    // ---- response: streams ----

    private static final List<String> EVENTS = List.of(
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Think.\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"logprobs\":{\"content\":[{\"token\":\"Hi\",\"logprob\":-0.1,\"bytes\":[72,105],\"top_logprobs\":[]}],\"refusal\":null},\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"refusal\":\"No.\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"function_call\":{\"name\":\"legacy\",\"arguments\":\"{}\"}},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":1,\"delta\":{\"audio\":{\"id\":\"audio_1\",\"transcript\":\"Hi\"}},\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":\"END\"}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"insufficient_system_resource\"}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":1,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"function_call\"}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":12,\"total_tokens\":52,\"prompt_tokens_details\":{\"cached_tokens\":32},\"completion_tokens_details\":{\"reasoning_tokens\":5},\"prompt_cache_hit_tokens\":32,\"prompt_cache_miss_tokens\":8}}");

    /** Each streamed field: the pointer into a chunk, and which choice carries it (-1: a chunk-level field). */
    static Stream<Arguments> streamedFields() {
        return Stream.of(
                Arguments.of("/choices/0/delta/reasoning_content", 0),
                Arguments.of("/choices/0/delta/content", 0),
                Arguments.of("/choices/0/logprobs", 0),
                Arguments.of("/choices/0/delta/refusal", 0),
                Arguments.of("/choices/0/delta/tool_calls", 0),
                Arguments.of("/choices/0/delta/function_call", 1),
                Arguments.of("/choices/0/delta/audio", 1),
                Arguments.of("/choices/0/stop_reason", 1),
                Arguments.of("/choices/0/finish_reason", 0),
                Arguments.of("/choices/0/finish_reason", 1),
                Arguments.of("/system_fingerprint", -1),
                Arguments.of("/service_tier", -1),
                Arguments.of("/usage", -1));
    }

    @ParameterizedTest(name = "{0} (choice {1})")
    @MethodSource("streamedFields")
    void aStreamedFieldReachesTheClientAsWritten(String pointer, int choice) {
        upstream.enqueue(UpstreamBehavior.verbatim(null, EVENTS));
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[" + ASK + "]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> sent = EVENTS.stream().map(FieldPolicyTest::read).toList();
        List<JsonNode> received = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: {")) {
                received.add(read(line.substring(6)));
            }
        }
        assertThat(values(received, pointer, choice)).as(pointer).isEqualTo(values(sent, pointer, choice));
    }

    /** The non-null values at {@code pointer} in the chunks for one choice (or all chunks), in order. */
    private static List<JsonNode> values(List<JsonNode> chunks, String pointer, int choice) {
        List<JsonNode> values = new ArrayList<>();
        for (JsonNode chunk : chunks) {
            if (choice >= 0 && (chunk.path("choices").isEmpty() || chunk.at("/choices/0/index").asInt() != choice)) {
                continue;
            }
            JsonNode value = chunk.at(pointer);
            boolean absent = value.isMissingNode() || value.isNull() || (value.isTextual() && value.asText().isEmpty());
            if (!absent) {
                values.add(value);
            }
        }
        if (pointer.equals("/service_tier") || pointer.equals("/system_fingerprint")) {
            return values.isEmpty() ? values : List.of(values.get(0)); // a chunk-level field: kept, on however many chunks
        }
        return values;
    }

    // ---- the documented table and these cases agree ----

    @Test
    void everyDocumentedFieldHasACase() throws Exception {
        String api = Files.readString(Path.of("..", "docs", "api.md"));
        Set<String> documented = new LinkedHashSet<>();
        Matcher section = Pattern.compile("<!-- field-table:request -->(.*?)<!-- /field-table:request -->", Pattern.DOTALL).matcher(api);
        assertThat(section.find()).as("docs/api.md has the request field table").isTrue();
        Matcher row = Pattern.compile("(?m)^\\| `([a-z_.\\[\\]]+)`").matcher(section.group(1));
        while (row.find()) {
            documented.add(row.group(1));
        }
        Set<String> tested = new LinkedHashSet<>();
        requestFields().forEach(a -> tested.add((String) a.get()[0]));
        requestFieldsWithCompanions().forEach(a -> tested.add((String) a.get()[0]));
        messageFields().forEach(a -> tested.add("messages[]." + a.get()[0]));
        tested.addAll(List.of("model", "messages", "stop", "stream_options", "stream_options.include_usage", "stream_options.include_obfuscation",
                "conversation_id", "web_search", "knowledge_bases", "messages[].role"));
        assertThat(documented).as("request fields documented in docs/api.md").isNotEmpty();
        assertThat(tested).as("every request field in the table of docs/api.md has a case here").containsAll(documented);

        Matcher responses = Pattern.compile("<!-- field-table:response -->(.*?)<!-- /field-table:response -->", Pattern.DOTALL).matcher(api);
        assertThat(responses.find()).as("docs/api.md has the response field table").isTrue();
        Set<String> documentedResponse = new LinkedHashSet<>();
        Matcher responseRow = Pattern.compile("(?m)^\\| `([a-z_.\\[\\]]+)`").matcher(responses.group(1));
        while (responseRow.find()) {
            documentedResponse.add(responseRow.group(1));
        }
        Set<String> testedResponse = new LinkedHashSet<>(List.of("id", "object", "created", "model"));
        responseFields().forEach(p -> testedResponse.add(pointerToName(p)));
        streamedFields().forEach(a -> testedResponse.add(pointerToName((String) a.get()[0])));
        assertThat(testedResponse).as("every response field in the table of docs/api.md has a case here").containsAll(documentedResponse);
    }

    /** {@code /choices/0/message/refusal} → {@code choices[].message.refusal}. */
    private static String pointerToName(String pointer) {
        return pointer.substring(1).replaceAll("/\\d+", "[]").replace('/', '.');
    }
}
