package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.FakeQuarkSearch;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * OpenAI's Responses API through the whole gateway, against a Chat Completions upstream on loopback: requests
 * translated faithfully, answers as output items with usage, streams as typed events with sequence numbers, function
 * calls and reasoning both ways, chains of responses continued from the database, stored responses read, listed and
 * deleted, the web search tool served by grounding with annotations, fallback, and bad input answered in OpenAI's
 * error shape without reaching the upstream.
 */
class ResponsesApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream primary;
    private static FakeOpenAiUpstream secondary;
    private static FakeQuarkSearch quark;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        primary = FakeOpenAiUpstream.start();
        secondary = FakeOpenAiUpstream.start();
        quark = FakeQuarkSearch.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("llm", TestGateway.openAiBackend(primary.baseUrl(), Map.of()),
                "spare", TestGateway.openAiBackend(secondary.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("llm", "up-model")), "retry", TestGateway.fastRetry(1),
                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("spare", "spare-model"))))),
                Map.of("id", "solo", "routes", List.of(TestGateway.route("llm", "up-model")), "retry", TestGateway.fastRetry(1))));
        meridian.put("web-search", Map.of("provider", "quark", "quark", Map.of("endpoint", quark.endpoint(), "api-key", "k")));
        meridian.put("retrieval", Map.of("web-timeout", "1s", "fetch-timeout", "1s"));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        primary.close();
        secondary.close();
        quark.close();
    }

    @AfterEach
    void reset() {
        primary.reset();
        secondary.reset();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (Exception e) {
            throw new IllegalStateException(response.body(), e);
        }
    }

    private static JsonNode sent(FakeOpenAiUpstream upstream, int i) throws Exception {
        return JSON.readTree(upstream.requests().get(i).body());
    }

    /** The events of a stream: each {type, data}, checking that event: lines and data types agree and sequence numbers count from 0. */
    static List<JsonNode> events(HttpResponse<String> response) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        String eventLine = null;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("event: ")) {
                eventLine = line.substring(7);
            } else if (line.startsWith("data: ")) {
                JsonNode data = JSON.readTree(line.substring(6));
                assertThat(data.get("type").asText()).isEqualTo(eventLine);
                assertThat(data.get("sequence_number").asInt()).as("sequence_number of " + line).isEqualTo(events.size());
                events.add(data);
            }
        }
        return events;
    }

    @Test
    void aWholeResponseIsTranslatedBothWays() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Bonjour", " !"));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"instructions\":\"Answer in French.\","
                + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Hello\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"https://x.example/cat.png\",\"detail\":\"low\"}]}],"
                + "\"max_output_tokens\":50,\"temperature\":0.3,\"top_p\":0.9,\"user\":\"u1\",\"metadata\":{\"app\":\"demo\"},"
                + "\"reasoning\":{\"effort\":\"low\"},\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"greeting\","
                + "\"schema\":{\"type\":\"object\"},\"strict\":true},\"verbosity\":\"low\"},"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"lookup\",\"description\":\"Look up\",\"parameters\":{\"type\":\"object\"},\"strict\":true}],"
                + "\"tool_choice\":{\"type\":\"function\",\"name\":\"lookup\"},\"parallel_tool_calls\":false,\"service_tier\":\"auto\",\"top_k\":5}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-backend")).hasValue("llm");
        JsonNode body = json(response);
        assertThat(body.get("id").asText()).matches("resp_[0-9a-f]{32}");
        assertThat(body.get("object").asText()).isEqualTo("response");
        assertThat(body.get("status").asText()).isEqualTo("completed");
        assertThat(body.get("model").asText()).isEqualTo("chat");
        assertThat(body.get("instructions").asText()).isEqualTo("Answer in French.");
        assertThat(body.get("max_output_tokens").asInt()).isEqualTo(50);
        assertThat(body.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(body.at("/reasoning/effort").asText()).isEqualTo("low");
        assertThat(body.at("/text/format/name").asText()).isEqualTo("greeting");
        assertThat(body.at("/tools/0/name").asText()).isEqualTo("lookup");
        assertThat(body.at("/tool_choice/name").asText()).isEqualTo("lookup");
        assertThat(body.at("/metadata/app").asText()).isEqualTo("demo");
        assertThat(body.get("store").asBoolean()).isTrue();
        JsonNode message = body.at("/output/0");
        assertThat(message.get("type").asText()).isEqualTo("message");
        assertThat(message.get("id").asText()).isEqualTo("msg_" + body.get("id").asText().substring(5));
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.at("/content/0/type").asText()).isEqualTo("output_text");
        assertThat(message.at("/content/0/text").asText()).isEqualTo("Bonjour !");
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(11);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(2);
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(13);
        assertThat(body.at("/usage/input_tokens_details/cached_tokens").isInt()).isTrue();

        JsonNode upstream = sent(primary, 0);
        assertThat(primary.requests().get(0).path()).isEqualTo("/v1/chat/completions");
        assertThat(upstream.at("/messages/0").toString()).isEqualTo("{\"role\":\"system\",\"content\":\"Answer in French.\"}");
        assertThat(upstream.at("/messages/1/content/1").toString())
                .isEqualTo("{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x.example/cat.png\",\"detail\":\"low\"}}");
        assertThat(upstream.get("max_tokens").asInt()).isEqualTo(50);
        assertThat(upstream.get("reasoning_effort").asText()).isEqualTo("low");
        assertThat(upstream.get("verbosity").asText()).isEqualTo("low");
        assertThat(upstream.get("response_format").toString())
                .isEqualTo("{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"greeting\",\"schema\":{\"type\":\"object\"},\"strict\":true}}");
        assertThat(upstream.get("tools").toString()).isEqualTo("[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"description\":"
                + "\"Look up\",\"parameters\":{\"type\":\"object\"},\"strict\":true}}]");
        assertThat(upstream.get("tool_choice").toString()).isEqualTo("{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}");
        assertThat(upstream.get("parallel_tool_calls").asBoolean()).isFalse();
        assertThat(upstream.get("service_tier").asText()).isEqualTo("auto");
        assertThat(upstream.get("top_k").asInt()).isEqualTo(5);
        assertThat(upstream.has("metadata")).as("metadata is the gateway's to keep, not the upstream's").isFalse();
        assertThat(upstream.get("user").asText()).isEqualTo("u1");

        HttpResponse<String> again = gateway.get("/v1/responses/" + body.get("id").asText());
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).get("output")).isEqualTo(body.get("output"));
        assertThat(json(again).get("usage")).isEqualTo(body.get("usage"));
        assertThat(json(again).get("instructions")).isEqualTo(body.get("instructions"));
    }

    @Test
    void aChainOfResponsesContinuesTheConversation() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Paris."), UpstreamBehavior.answer("About two million."));
        JsonNode first = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"instructions\":\"One word.\",\"input\":\"Capital of France?\"}"));
        String firstId = first.get("id").asText();
        HttpResponse<String> second = gateway.post("/v1/responses",
                "{\"model\":\"chat\",\"previous_response_id\":\"" + firstId + "\",\"input\":\"And its population?\"}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(json(second).get("previous_response_id").asText()).isEqualTo(firstId);
        assertThat(sent(primary, 1).get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Capital of France?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Paris.\"},{\"role\":\"user\",\"content\":\"And its population?\"}]");

        HttpResponse<String> items = gateway.get("/v1/responses/" + json(second).get("id").asText() + "/input_items");
        assertThat(items.statusCode()).isEqualTo(200);
        JsonNode list = json(items);
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.at("/data/0/content/0/text").asText()).isEqualTo("And its population?");
        assertThat(list.get("has_more").asBoolean()).isFalse();

        HttpResponse<String> unknown = gateway.post("/v1/responses",
                "{\"model\":\"chat\",\"previous_response_id\":\"resp_00000000000000000000000000000000\",\"input\":\"x\"}");
        BadInputTest.assertOpenAiError(unknown, 404, "previous_response_id", "previous_response_not_found");
        assertThat(primary.requests()).hasSize(2);
    }

    @Test
    void aStreamIsTheTypedEventsInOrder() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Hel", "lo", "!"));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Hi\",\"stream\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("text/event-stream"));
        List<JsonNode> events = events(response);
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
                "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed");
        String id = events.get(0).at("/response/id").asText();
        assertThat(events.get(0).at("/response/status").asText()).isEqualTo("in_progress");
        assertThat(events.get(4).get("delta").asText()).isEqualTo("Hel");
        assertThat(events.get(4).get("item_id").asText()).isEqualTo("msg_" + id.substring(5));
        assertThat(events.get(7).get("text").asText()).isEqualTo("Hello!");
        JsonNode completed = events.get(10).get("response");
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello!");
        assertThat(completed.at("/usage/output_tokens").asInt()).isEqualTo(3);
        assertThat(json(gateway.get("/v1/responses/" + id)).get("output")).as("stored before the stream ended").isEqualTo(completed.get("output"));
    }

    private static final String TOOL_CALL_JSON = "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":null,\"reasoning_content\":\"Need the weather.\",\"tool_calls\":[{\"id\":\"call_7\","
            + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}]},"
            + "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29,"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":4}}}";
    private static final List<String> TOOL_CALL_EVENTS = List.of(
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"Need \"},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"the weather.\"},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_7\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Oslo\\\"}\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}");

    @Test
    void functionCallsAndReasoningComeOutAsItemsAndGoBackAsInput() throws Exception {
        primary.enqueue(UpstreamBehavior.verbatim(TOOL_CALL_JSON, TOOL_CALL_EVENTS));
        String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}]";
        JsonNode first = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Weather in Oslo?\"," + tools + "}"));
        String id = first.get("id").asText();
        String digits = id.substring(5);
        assertThat(first.at("/output/0/type").asText()).isEqualTo("reasoning");
        assertThat(first.at("/output/0/id").asText()).isEqualTo("rs_" + digits);
        assertThat(first.at("/output/0/content/0/text").asText()).isEqualTo("Need the weather.");
        assertThat(first.at("/output/1/type").asText()).isEqualTo("function_call");
        assertThat(first.at("/output/1/id").asText()).isEqualTo("fc_" + digits + "_0");
        assertThat(first.at("/output/1/call_id").asText()).isEqualTo("call_7");
        assertThat(first.at("/output/1/name").asText()).isEqualTo("get_weather");
        assertThat(first.at("/output/1/arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(first.get("output")).hasSize(2);
        assertThat(first.at("/usage/output_tokens_details/reasoning_tokens").asInt()).isEqualTo(4);

        // The client runs the function and continues, referring to the call by item id and sending its output.
        primary.enqueue(UpstreamBehavior.answer("It is 3 °C in Oslo."));
        HttpResponse<String> second = gateway.post("/v1/responses", "{\"model\":\"chat\"," + tools + ",\"input\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
                + "{\"type\":\"item_reference\",\"id\":\"rs_" + digits + "\"},"
                + "{\"type\":\"item_reference\",\"id\":\"fc_" + digits + "_0\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_7\",\"output\":\"{\\\"temp\\\":3}\"}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(sent(primary, 1).get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Weather in Oslo?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Oslo\\\"}\"}}],\"reasoning_content\":\"Need the weather.\"},"
                + "{\"role\":\"tool\",\"content\":\"{\\\"temp\\\":3}\",\"tool_call_id\":\"call_7\"}]");

        // Streamed: reasoning first (as reasoning text, or as a summary when asked), then the call's arguments in pieces.
        primary.enqueue(UpstreamBehavior.verbatim(TOOL_CALL_JSON, TOOL_CALL_EVENTS));
        List<JsonNode> events = events(gateway.post("/v1/responses", "{\"model\":\"chat\",\"stream\":true,\"input\":\"Weather in Oslo?\","
                + "\"reasoning\":{\"summary\":\"auto\"}," + tools + "}"));
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.delta", "response.output_item.added", "response.function_call_arguments.delta",
                "response.function_call_arguments.delta", "response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
                "response.output_item.done", "response.function_call_arguments.done", "response.output_item.done", "response.completed");
        JsonNode done = events.get(12);
        assertThat(done.get("arguments").asText()).isEqualTo("{\"city\":\"Oslo\"}");
        assertThat(done.get("name").asText()).isEqualTo("get_weather");
        JsonNode completed = events.get(14).get("response");
        assertThat(completed.at("/output/0/summary/0/text").asText()).isEqualTo("Need the weather.");
        assertThat(completed.at("/output/1/call_id").asText()).isEqualTo("call_7");
    }

    private static final String CUSTOM_CALL_JSON = "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_c\",\"type\":\"custom\","
            + "\"custom\":{\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\"}}]},\"finish_reason\":\"tool_calls\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}";
    private static final List<String> CUSTOM_CALL_EVENTS = List.of(
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_c\",\"type\":\"custom\",\"custom\":{\"name\":\"apply_patch\",\"input\":\"\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"custom\":{\"input\":\"*** Begin\"}}]},\"finish_reason\":null}]}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"up-model\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"custom\":{\"input\":\" Patch\"}}]},\"finish_reason\":\"tool_calls\"}]}");

    @Test
    void customToolsGoUpstreamInChatsShapeAndComeBackAsCustomToolCalls() throws Exception {
        String tools = "\"tools\":[{\"type\":\"custom\",\"name\":\"apply_patch\",\"description\":\"Apply a patch\","
                + "\"format\":{\"type\":\"grammar\",\"syntax\":\"lark\",\"definition\":\"start: /.+/\"}}]";
        primary.enqueue(UpstreamBehavior.verbatim(CUSTOM_CALL_JSON, CUSTOM_CALL_EVENTS));
        JsonNode first = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Fix it\"," + tools
                + ",\"tool_choice\":{\"type\":\"custom\",\"name\":\"apply_patch\"}}"));
        String digits = first.get("id").asText().substring(5);
        assertThat(first.at("/output/0/type").asText()).isEqualTo("custom_tool_call");
        assertThat(first.at("/output/0/id").asText()).isEqualTo("ctc_" + digits + "_0");
        assertThat(first.at("/output/0/input").asText()).isEqualTo("*** Begin Patch");
        assertThat(first.at("/output/0/call_id").asText()).isEqualTo("call_c");
        assertThat(sent(primary, 0).get("tools").toString()).isEqualTo("[{\"type\":\"custom\",\"custom\":{\"name\":\"apply_patch\","
                + "\"description\":\"Apply a patch\",\"format\":{\"type\":\"grammar\",\"syntax\":\"lark\",\"definition\":\"start: /.+/\"}}}]");
        assertThat(sent(primary, 0).get("tool_choice").toString()).isEqualTo("{\"type\":\"custom\",\"custom\":{\"name\":\"apply_patch\"}}");

        primary.enqueue(UpstreamBehavior.answer("Patched."));
        HttpResponse<String> second = gateway.post("/v1/responses", "{\"model\":\"chat\"," + tools + ",\"input\":["
                + "{\"role\":\"user\",\"content\":\"Fix it\"},"
                + "{\"type\":\"custom_tool_call\",\"call_id\":\"call_c\",\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\"},"
                + "{\"type\":\"custom_tool_call_output\",\"call_id\":\"call_c\",\"output\":\"done\"}]}");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(sent(primary, 1).get("messages").toString()).isEqualTo("[{\"role\":\"user\",\"content\":\"Fix it\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_c\",\"type\":\"custom\",\"custom\":"
                + "{\"name\":\"apply_patch\",\"input\":\"*** Begin Patch\"}}]},{\"role\":\"tool\",\"content\":\"done\",\"tool_call_id\":\"call_c\"}]");

        primary.enqueue(UpstreamBehavior.verbatim(CUSTOM_CALL_JSON, CUSTOM_CALL_EVENTS));
        List<JsonNode> events = events(gateway.post("/v1/responses", "{\"model\":\"chat\",\"stream\":true,\"input\":\"Fix it\"," + tools + "}"));
        assertThat(events).extracting(e -> e.get("type").asText()).containsExactly("response.created", "response.in_progress",
                "response.output_item.added", "response.custom_tool_call_input.delta", "response.custom_tool_call_input.delta",
                "response.custom_tool_call_input.done", "response.output_item.done", "response.completed");
        assertThat(events.get(5).get("input").asText()).isEqualTo("*** Begin Patch");
        assertThat(events.get(7).at("/response/output/0/type").asText()).isEqualTo("custom_tool_call");
    }

    @Test
    void theWebSearchToolIsServedByGroundingWithAnnotations() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Meridian is a gateway [1]."));
        HttpResponse<String> response = gateway.post("/v1/responses",
                "{\"model\":\"chat\",\"input\":\"What is Meridian?\",\"tools\":[{\"type\":\"web_search\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.at("/output/0/type").asText()).isEqualTo("web_search_call");
        assertThat(body.at("/output/0/status").asText()).isEqualTo("completed");
        assertThat(body.at("/output/0/action/query").asText()).isEqualTo("What is Meridian?");
        JsonNode text = body.at("/output/1/content/0");
        assertThat(text.get("text").asText()).isEqualTo("Meridian is a gateway [1].");
        JsonNode annotation = text.at("/annotations/0");
        assertThat(annotation.get("type").asText()).isEqualTo("url_citation");
        assertThat(annotation.get("url").asText()).isEqualTo("https://meridian.example/docs");
        assertThat(annotation.get("start_index").asInt()).isEqualTo(22);
        assertThat(annotation.get("end_index").asInt()).isEqualTo(25);
        assertThat(sent(primary, 0).toString()).contains("https://meridian.example/docs").doesNotContain("web_search");
    }

    @Test
    void aWebSearchThatCouldNotRunIsAFailedSearchCallAndSaysSoAlsoWhenReadBack() throws Exception {
        quark.fail(429, "Retrieval.Throttling.User", "Too many requests");
        primary.enqueue(UpstreamBehavior.answer("From what I know: a gateway."));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"What is Meridian?\","
                + "\"tools\":[{\"type\":\"web_search\"}],\"include\":[\"web_search_call.action.sources\"],\"stream\":true}");
        List<JsonNode> events = events(response);
        JsonNode completed = events.get(events.size() - 1).get("response");
        assertThat(completed.at("/output/0/status").asText()).isEqualTo("failed");
        assertThat(completed.get("notices").get(0).asText()).startsWith("web search unavailable");
        JsonNode stored = json(gateway.get("/v1/responses/" + completed.get("id").asText()));
        assertThat(stored.at("/output/0/status").asText()).isEqualTo("failed");
        assertThat(stored.at("/output/0/action/sources")).isEmpty();
        assertThat(stored.get("notices")).isEqualTo(completed.get("notices"));

        primary.enqueue(UpstreamBehavior.answer("A gateway [1]."));
        JsonNode found = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"What is Meridian?\","
                + "\"tools\":[{\"type\":\"web_search\"}],\"include\":[\"web_search_call.action.sources\"]}"));
        assertThat(found.at("/output/0/status").asText()).isEqualTo("completed");
        assertThat(found.at("/output/0/action/sources/0/url").asText()).isEqualTo("https://meridian.example/docs");
        assertThat(found.at("/output/0/action/sources/0/type").asText()).isEqualTo("url");
    }

    @Test
    void aFailingBackendFallsBackUnseen() throws Exception {
        primary.enqueue(UpstreamBehavior.status(500, "down"));
        secondary.enqueue(UpstreamBehavior.answer("spare answer"));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Hi\",\"stream\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-fallback-tier")).hasValue("1");
        List<JsonNode> events = events(response);
        assertThat(events.get(events.size() - 1).at("/response/output/0/content/0/text").asText()).isEqualTo("spare answer");
    }

    @Test
    void aStreamCutAfterItsFirstTokenIsContinuedByTheNextTierAsOneResponse() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("one", " two", " three").cutAfter(1));
        secondary.enqueue(UpstreamBehavior.answer(" two", " three"));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Hi\",\"stream\":true}");
        List<JsonNode> events = events(response);
        JsonNode completed = events.get(events.size() - 1);
        assertThat(completed.get("type").asText()).isEqualTo("response.completed");
        assertThat(completed.at("/response/output/0/content/0/text").asText()).isEqualTo("one two three");
        assertThat(secondary.requests()).as("the spare tier was asked to continue the answer").hasSize(1);
    }

    @Test
    void aStreamCutAfterItsFirstTokenWithNoTierLeftEndsWithErrorAndResponseFailed() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("one", "two", "three").cutAfter(1));
        HttpResponse<String> response = gateway.post("/v1/responses", "{\"model\":\"solo\",\"input\":\"Hi\",\"stream\":true}");
        List<JsonNode> events = events(response);
        JsonNode failed = events.get(events.size() - 1);
        assertThat(failed.get("type").asText()).as(response.body()).isEqualTo("response.failed");
        assertThat(failed.at("/response/status").asText()).isEqualTo("failed");
        assertThat(failed.at("/response/error/code").asText()).isEqualTo("server_error");
        assertThat(events.get(events.size() - 2).get("type").asText()).isEqualTo("error");
    }

    @Test
    void storedResponsesAreReadDeletedAndNotCancellable() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("kept"), UpstreamBehavior.answer("not kept"));
        String id = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Hi\"}")).get("id").asText();
        BadInputTest.assertOpenAiError(gateway.post("/v1/responses/" + id + "/cancel", ""), 400, null, "not_cancellable");
        HttpResponse<String> deleted = gateway.delete("/v1/responses/" + id);
        assertThat(deleted.statusCode()).isEqualTo(200);
        assertThat(json(deleted).get("deleted").asBoolean()).isTrue();
        for (String path : List.of("/v1/responses/" + id, "/v1/responses/" + id + "/input_items", "/v1/responses/resp_nope")) {
            BadInputTest.assertOpenAiError(gateway.get(path), 404, null, "not_found");
        }
        BadInputTest.assertOpenAiError(gateway.delete("/v1/responses/" + id), 404, null, "not_found");
        BadInputTest.assertOpenAiError(gateway.post("/v1/responses/" + id + "/cancel", ""), 404, null, "not_found");

        String unstored = json(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"Hi\",\"store\":false}")).get("id").asText();
        BadInputTest.assertOpenAiError(gateway.get("/v1/responses/" + unstored), 404, null, "not_found");
    }

    static Stream<Arguments> badBodies() {
        return Stream.of(
                Arguments.of("not JSON", "{\"model\":", 400, null, "invalid_json"),
                Arguments.of("an array", "[1]", 400, null, "invalid_json"),
                Arguments.of("model missing", "{\"input\":\"hi\"}", 400, "model", "missing_required_parameter"),
                Arguments.of("model a number", "{\"model\":1,\"input\":\"hi\"}", 400, "model", "invalid_type"),
                Arguments.of("input missing", "{\"model\":\"chat\"}", 400, "input", "missing_required_parameter"),
                Arguments.of("input a number", "{\"model\":\"chat\",\"input\":5}", 400, "input", "invalid_type"),
                Arguments.of("input empty", "{\"model\":\"chat\",\"input\":[]}", 400, "input", "empty_array"),
                Arguments.of("item not an object", "{\"model\":\"chat\",\"input\":[\"hi\"]}", 400, "input[0]", "invalid_type"),
                Arguments.of("role unknown", "{\"model\":\"chat\",\"input\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "input[0].role", "invalid_value"),
                Arguments.of("content missing", "{\"model\":\"chat\",\"input\":[{\"role\":\"user\"}]}", 400, "input[0].content", "missing_required_parameter"),
                Arguments.of("part unknown", "{\"model\":\"chat\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_video\"}]}]}", 400, "input[0].content[0].type", "unsupported_parameter"),
                Arguments.of("image by file id", "{\"model\":\"chat\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]}", 400, "input[0].content[0].file_id", "unsupported_parameter"),
                Arguments.of("item type unknown", "{\"model\":\"chat\",\"input\":[{\"type\":\"computer_call\"}]}", 400, "input[0].type", "unsupported_parameter"),
                Arguments.of("call without call_id", "{\"model\":\"chat\",\"input\":[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]}", 400, "input[0].call_id", "missing_required_parameter"),
                Arguments.of("output without output", "{\"model\":\"chat\",\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\"}]}", 400, "input[0].output", "missing_required_parameter"),
                Arguments.of("encrypted reasoning", "{\"model\":\"chat\",\"input\":[{\"type\":\"reasoning\",\"encrypted_content\":\"x\",\"summary\":[]},{\"role\":\"user\",\"content\":\"hi\"}]}", 400, "input[0].encrypted_content", "unsupported_parameter"),
                Arguments.of("unknown item reference", "{\"model\":\"chat\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_00000000000000000000000000000000\"}]}", 404, "input[0].id", "not_found"),
                Arguments.of("unusable item reference", "{\"model\":\"chat\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}", 404, "input[0].id", "not_found"),
                Arguments.of("hosted tool", "{\"model\":\"chat\",\"input\":\"hi\",\"tools\":[{\"type\":\"file_search\"}]}", 400, "tools[0].type", "unsupported_parameter"),
                Arguments.of("web search option", "{\"model\":\"chat\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\",\"filters\":{}}]}", 400, "tools[0].filters", "unsupported_parameter"),
                Arguments.of("function without name", "{\"model\":\"chat\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\"}]}", 400, "tools[0].name", "missing_required_parameter"),
                Arguments.of("tool_choice of no tool", "{\"model\":\"chat\",\"input\":\"hi\",\"tools\":[{\"type\":\"function\",\"name\":\"a\"}],\"tool_choice\":{\"type\":\"function\",\"name\":\"b\"}}", 400, "tool_choice", "invalid_value"),
                Arguments.of("text format unknown", "{\"model\":\"chat\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"xml\"}}}", 400, "text.format.type", "invalid_value"),
                Arguments.of("json_schema without schema", "{\"model\":\"chat\",\"input\":\"hi\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"x\"}}}", 400, "text.format.schema", "missing_required_parameter"),
                Arguments.of("reasoning effort unknown", "{\"model\":\"chat\",\"input\":\"hi\",\"reasoning\":{\"effort\":\"extreme\"}}", 400, "reasoning.effort", "invalid_value"),
                Arguments.of("max_output_tokens zero", "{\"model\":\"chat\",\"input\":\"hi\",\"max_output_tokens\":0}", 400, "max_output_tokens", "invalid_value"),
                Arguments.of("max_output_tokens text", "{\"model\":\"chat\",\"input\":\"hi\",\"max_output_tokens\":\"9\"}", 400, "max_output_tokens", "invalid_type"),
                Arguments.of("temperature out of range", "{\"model\":\"chat\",\"input\":\"hi\",\"temperature\":5}", 400, "temperature", "invalid_value"),
                Arguments.of("truncation unknown", "{\"model\":\"chat\",\"input\":\"hi\",\"truncation\":\"sometimes\"}", 400, "truncation", "invalid_value"),
                Arguments.of("include unknown", "{\"model\":\"chat\",\"input\":\"hi\",\"include\":[\"everything\"]}", 400, "include[0]", "invalid_value"),
                Arguments.of("metadata not strings", "{\"model\":\"chat\",\"input\":\"hi\",\"metadata\":{\"a\":1}}", 400, "metadata.a", "invalid_type"),
                Arguments.of("store a string", "{\"model\":\"chat\",\"input\":\"hi\",\"store\":\"yes\"}", 400, "store", "invalid_type"),
                Arguments.of("background", "{\"model\":\"chat\",\"input\":\"hi\",\"background\":true}", 400, "background", "unsupported_parameter"),
                Arguments.of("conversation", "{\"model\":\"chat\",\"input\":\"hi\",\"conversation\":\"conv_1\"}", 400, "conversation", "unsupported_parameter"),
                Arguments.of("prompt template", "{\"model\":\"chat\",\"input\":\"hi\",\"prompt\":{\"id\":\"p\"}}", 400, "prompt", "unsupported_parameter"),
                Arguments.of("n", "{\"model\":\"chat\",\"input\":\"hi\",\"n\":2}", 400, "n", "unsupported_parameter"),
                Arguments.of("previous id of nothing", "{\"model\":\"chat\",\"input\":\"hi\",\"previous_response_id\":\"nope\"}", 404, "previous_response_id", "previous_response_not_found"),
                Arguments.of("nesting bomb", "{\"model\":\"chat\",\"input\":\"hi\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, null, "invalid_json"),
                Arguments.of("unknown model", "{\"model\":\"gpt-99\",\"input\":\"hi\"}", 404, "model", "model_not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badInputIsAClearOpenAiErrorAndReachesNoUpstream(String name, String body, int status, String param, String code) throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            String sent = stream && body.startsWith("{\"model\"") && !body.contains("\"stream") ? body.replaceFirst("\\{", "{\"stream\":true,") : body;
            BadInputTest.assertOpenAiError(gateway.post("/v1/responses", sent), status, param, code);
        }
        assertThat(primary.requests()).isEmpty();
    }

    @Test
    void invalidUtf8HugeBodiesAndBadKeysAreRefused() throws Exception {
        byte[] prefix = "{\"model\":\"chat\",\"input\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] body = Arrays.copyOf(prefix, prefix.length + 4);
        body[prefix.length] = (byte) 0xff;
        body[prefix.length + 1] = (byte) 0xfe;
        body[prefix.length + 2] = '"';
        body[prefix.length + 3] = '}';
        BadInputTest.assertOpenAiError(gateway.postBytes("/v1/responses", body), 400, null, "invalid_json");
        byte[] big = new byte[10 * 1024 * 1024 + 100];
        Arrays.fill(big, (byte) 'a');
        System.arraycopy(prefix, 0, big, 0, prefix.length);
        BadInputTest.assertOpenAiError(gateway.postBytes("/v1/responses", big), 413, null, "request_too_large");
        BadInputTest.assertOpenAiError(gateway.post("/v1/responses", "{\"model\":\"chat\",\"input\":\"a\"}", "authorization", "Bearer nope"),
                401, null, "invalid_api_key");
        BadInputTest.assertOpenAiError(gateway.get("/v1/responses/x/input_items?limit=0"), 400, "limit", "invalid_value");
        assertThat(primary.requests()).isEmpty();
    }
}
