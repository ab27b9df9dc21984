package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole Chat Completions request reaches an OpenAI-compatible upstream as the client wrote it, and the
 * whole answer reaches the client as the upstream wrote it: tool calls (whole and streamed as fragments),
 * several choices, log probabilities, refusals, usage details, unknown finish reasons and fields, on the
 * fast path and on the framework's path alike. Tool-call turns survive a stored conversation.
 */
class ChatFidelityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static TestGateway fast;
    private static TestGateway framework;

    /** A tool-calling request with every kind of field: typed, OpenAI pass-through, vendor extras, Meridian's own. */
    static final String TOOL_REQUEST = """
            {"model":"chat","messages":[
              {"role":"developer","content":"Be brief."},
              {"role":"user","content":[{"type":"text","text":"Weather in Paris?","cache_control":{"type":"ephemeral"}},
                                        {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}}]},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\"}"}}],"reasoning_content":"I should call weather.","prefix":false},
              {"role":"tool","tool_call_id":"call_1","content":"18C"},
              {"role":"user","content":"And tomorrow?","name":"ann"}],
             "tools":[{"type":"function","function":{"name":"weather","description":"Weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}}],
             "tool_choice":{"type":"function","function":{"name":"weather"}},
             "parallel_tool_calls":false,
             "n":2,"logprobs":true,"top_logprobs":2,"max_completion_tokens":300,"seed":42,"stop":["END"],
             "logit_bias":{"50256":-100},"reasoning_effort":"low","metadata":{"team":"a"},"service_tier":"auto",
             "prediction":{"type":"content","content":"x"},"store":false,
             "thinking":{"type":"enabled"},"enable_thinking":true,"chat_template_kwargs":{"enable_thinking":false},
             "top_k":40,"min_p":0.05,"repetition_penalty":1.1,"guided_json":{"type":"object"},"options":{"num_ctx":4096},
             "keep_alive":"5m","x_vendor_unknown":[1,{"a":null}],
             "web_search":false,"knowledge_bases":[],"user":"u-1"}
            """;

    /** What an upstream answers whole: two choices, a tool call, log probabilities, a refusal, usage details. */
    static final String WHOLE_ANSWER = """
            {"id":"chatcmpl-up","object":"chat.completion","created":1,"model":"m-2026","system_fingerprint":"fp_abc","service_tier":"default",
             "choices":[
               {"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Paris\\",\\"day\\":1}"}}],"refusal":null,"annotations":[]},"logprobs":{"content":[{"token":"x","logprob":-0.1,"bytes":[120],"top_logprobs":[]}]},"finish_reason":"tool_calls"},
               {"index":1,"message":{"role":"assistant","content":"","refusal":"I can't help with that.","reasoning_content":"Thinking."},"logprobs":null,"finish_reason":"insufficient_system_resource","stop_reason":"END"}],
             "usage":{"prompt_tokens":40,"completion_tokens":12,"total_tokens":52,"prompt_tokens_details":{"cached_tokens":32},
                      "completion_tokens_details":{"reasoning_tokens":5},"prompt_cache_hit_tokens":32,"prompt_cache_miss_tokens":8},
             "kv_transfer_params":{"k":1}}
            """;

    /** The same answer streamed as OpenAI streams it: fragments of the tool call, two choices interleaved. */
    static final List<String> STREAMED_ANSWER = List.of(
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":1,\"delta\":{\"role\":\"assistant\",\"content\":\"Bon\"},\"logprobs\":{\"content\":[{\"token\":\"Bon\",\"logprob\":-0.2,\"bytes\":null,\"top_logprobs\":[]}]},\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"jour\"},\"logprobs\":null,\"finish_reason\":null}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"system_fingerprint\":\"fp_abc\",\"choices\":[{\"index\":1,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}]}",
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m-2026\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":12,\"total_tokens\":52,\"prompt_tokens_details\":{\"cached_tokens\":32},\"prompt_cache_hit_tokens\":32}}");

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        fast = TestGateway.start(config(true));
        framework = TestGateway.start(config(false));
    }

    private static Map<String, Object> config(boolean fastPath) {
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m-2026")), "retry", Map.of("max-attempts", 1))));
        meridian.put("http", Map.of("fast-path", fastPath));
        return meridian;
    }

    @AfterAll
    static void stop() {
        fast.close();
        framework.close();
        upstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
    }

    private static TestGateway gateway(boolean fastPath) {
        return fastPath ? fast : framework;
    }

    private static JsonNode read(String json) throws Exception {
        return JSON.readTree(json);
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void everyRequestFieldReachesTheUpstreamAsTheClientWroteIt(boolean fastPath) throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(WHOLE_ANSWER, null));
        HttpResponse<String> response = gateway(fastPath).post("/v1/chat/completions", TOOL_REQUEST);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        ObjectNode sent = (ObjectNode) read(TOOL_REQUEST);
        JsonNode received = read(upstream.requests().get(0).body());
        // Meridian's own fields are consumed; the model is the route's; developer is sent as system.
        sent.remove(List.of("web_search", "knowledge_bases"));
        sent.put("model", "m-2026");
        ((ObjectNode) sent.get("messages").get(0)).put("role", "system");
        List<String> fields = new ArrayList<>();
        sent.fieldNames().forEachRemaining(fields::add);
        for (String field : fields) {
            assertThat(received.get(field)).as("field %s", field).isEqualTo(sent.get(field));
        }
        assertThat(received.size()).as("nothing added: %s", received).isEqualTo(sent.size());
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void theWholeAnswerReachesTheClientAsTheUpstreamWroteIt(boolean fastPath) throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(WHOLE_ANSWER, null));
        HttpResponse<String> response = gateway(fastPath).post("/v1/chat/completions", TOOL_REQUEST);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = read(response.body());
        JsonNode upstreamAnswer = read(WHOLE_ANSWER);
        assertThat(answer.get("model").asText()).isEqualTo("chat");
        assertThat(answer.get("id").asText()).startsWith("chatcmpl-");
        assertThat(answer.get("choices")).isEqualTo(upstreamAnswer.get("choices"));
        assertThat(answer.get("usage")).isEqualTo(upstreamAnswer.get("usage"));
        assertThat(answer.get("system_fingerprint")).isEqualTo(upstreamAnswer.get("system_fingerprint"));
        assertThat(answer.get("service_tier")).isEqualTo(upstreamAnswer.get("service_tier"));
        assertThat(answer.get("kv_transfer_params")).isEqualTo(upstreamAnswer.get("kv_transfer_params"));
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void aStreamedAnswerKeepsToolCallFragmentsChoicesAndUsageDetails(boolean fastPath) throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(null, STREAMED_ANSWER));
        String body = TOOL_REQUEST.replace("\"n\":2", "\"n\":2,\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        HttpResponse<String> response = gateway(fastPath).post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
                chunks.add(read(line.substring(6)));
            }
        }
        assertThat(response.body()).endsWith("data: [DONE]\n\n");
        // Fragments go out as they came, in order, each choice under its own index.
        List<String> toolFragments = new ArrayList<>();
        StringBuilder second = new StringBuilder();
        Map<Integer, String> finish = new LinkedHashMap<>();
        JsonNode usage = null;
        for (JsonNode chunk : chunks) {
            for (JsonNode choice : chunk.get("choices")) {
                JsonNode delta = choice.get("delta");
                if (delta.has("tool_calls")) {
                    toolFragments.add(delta.get("tool_calls").toString());
                }
                if (choice.get("index").asInt() == 1 && delta.hasNonNull("content")) {
                    second.append(delta.get("content").asText());
                }
                if (!choice.get("finish_reason").isNull()) {
                    finish.put(choice.get("index").asInt(), choice.get("finish_reason").asText());
                }
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
        }
        assertThat(toolFragments).containsExactly(
                "[{\"index\":0,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]",
                "[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]",
                "[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]");
        assertThat(second.toString()).isEqualTo("Bonjour");
        assertThat(finish).containsExactly(Map.entry(0, "tool_calls"), Map.entry(1, "length"));
        assertThat(usage.get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(32);
        assertThat(usage.get("prompt_cache_hit_tokens").asInt()).isEqualTo(32);
        assertThat(chunks.get(0).get("system_fingerprint").asText()).isEqualTo("fp_abc");
        assertThat(chunks.get(1).get("choices").get(0).get("logprobs").get("content").get(0).get("token").asText()).isEqualTo("Bon");
        assertThat(chunks.get(0).get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(chunks.get(1).get("choices").get(0).get("delta").get("role").asText()).as("each choice opens with the role").isEqualTo("assistant");
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void toolCallTurnsAreStoredAndReplayedInAConversation(boolean fastPath) throws Exception {
        TestGateway gateway = gateway(fastPath);
        upstream.enqueue(UpstreamBehavior.verbatim("""
                {"choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"weather","arguments":"{\\"city\\":\\"Oslo\\"}"}}]},"finish_reason":"tool_calls"}],
                 "usage":{"prompt_tokens":5,"completion_tokens":5}}
                """, null));
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}]";
        HttpResponse<String> first = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"conversation_id\":\"new\"," + tools
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"}]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        String conversation = read(first.body()).get("conversation_id").asText();

        upstream.enqueue(UpstreamBehavior.answer("It is 3C in Oslo."));
        HttpResponse<String> second = gateway.post("/v1/chat/completions", "{\"model\":\"chat\",\"conversation_id\":\"" + conversation + "\","
                + tools + ",\"messages\":[{\"role\":\"tool\",\"tool_call_id\":\"call_9\",\"content\":\"3C\"}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);

        JsonNode replayed = read(upstream.requests().get(1).body()).get("messages");
        assertThat(replayed).hasSize(3);
        assertThat(replayed.get(1).get("tool_calls").get(0).get("id").asText()).isEqualTo("call_9");
        assertThat(replayed.get(1).get("content").isNull()).isTrue();
        assertThat(replayed.get(2).get("tool_call_id").asText()).isEqualTo("call_9");

        JsonNode transcript = read(gateway.get("/v1/conversations/" + conversation).body());
        assertThat(transcript.toString()).contains("call_9").contains("tool_calls");
    }

    @ParameterizedTest(name = "fast path {0}")
    @ValueSource(booleans = {true, false})
    void malformedToolingIsA400NamingTheParameter(boolean fastPath) throws Exception {
        TestGateway gateway = gateway(fastPath);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "messages[0].tool_call_id");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}", "tools");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{}}]}",
                "tools[0].function.name");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"sometimes\"}", "tool_choice");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true,\"stream_options\":{\"chunk_size\":2}}",
                "stream_options.chunk_size");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}",
                "messages[0].content[0].image_url.url");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\",\"tool_calls\":[]}]}", "messages[0].tool_calls");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}", "n");
        cases.put("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_logprobs\":3}", "top_logprobs");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", c.getKey());
            assertThat(response.statusCode()).as(c.getKey() + " -> " + response.body()).isEqualTo(400);
            assertThat(read(response.body()).get("error").get("param").asText()).as(c.getKey()).isEqualTo(c.getValue());
        }
        assertThat(upstream.requests()).isEmpty();
    }
}
