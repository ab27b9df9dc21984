package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.out.triton.FakeTritonServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** OpenAI chat requests answered by Triton models over gRPC, through the whole gateway. */
class TritonGatewayTest {
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather in a city\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";

    private static FakeTritonServer trtllm;
    private static FakeTritonServer vllm;
    private static FakeTritonServer qwen;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        trtllm = FakeTritonServer.startNamed("trtllm");
        vllm = FakeTritonServer.startNamed("vllm");
        qwen = FakeTritonServer.startHermesToolModel("vllm", "qwen_tools");
        gateway = TestGateway.start(Map.of(
                "backends", Map.of(
                        "trt", Map.of("type", "triton", "endpoints", List.of(trtllm.endpoint()), "model", trtllm.model(),
                                "convention", "trtllm", "chat-template", "llama3"),
                        "vllm", Map.of("type", "triton", "endpoints", List.of(vllm.endpoint()),
                                "model", vllm.model(), "convention", "vllm", "chat-template", "chatml"),
                        "qwen", Map.of("type", "triton", "endpoints", List.of(qwen.endpoint()), "model", qwen.model(),
                                "convention", "vllm", "chat-template", "chatml", "tool-calling", "hermes", "context-window", 32768)),
                "models", List.of(
                        Map.of("id", "llama-trt", "routes", List.of(TestGateway.route("trt", trtllm.model()))),
                        Map.of("id", "qwen-vllm", "routes", List.of(TestGateway.route("vllm", vllm.model()))),
                        Map.of("id", "qwen-tools", "routes", List.of(TestGateway.route("qwen", qwen.model()))),
                        // The plain model first; requests with tools skip to the tier whose model can call them.
                        Map.of("id", "qwen-mixed", "routes", List.of(TestGateway.route("vllm", vllm.model())),
                                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("qwen", qwen.model()))))))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        trtllm.close();
        vllm.close();
        qwen.close();
    }

    private static String toolRequest(String model, boolean stream, String messages) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"tools\":" + TOOLS + ",\"messages\":" + messages + "}";
    }

    @Test
    void aTritonToolCallReachesTheClientAsToolCallDeltas() {
        HttpResponse<String> stream = gateway.post("/v1/chat/completions",
                toolRequest("qwen-tools", true, "[{\"role\":\"user\",\"content\":\"Paris\"}]"));
        assertThat(stream.statusCode()).as(stream.body()).isEqualTo(200);
        List<com.fasterxml.jackson.databind.JsonNode> chunks = new java.util.ArrayList<>();
        for (String line : stream.body().split("\n")) {
            if (line.startsWith("data: {")) {
                chunks.add(readTree(line.substring(6)));
            }
        }
        StringBuilder text = new StringBuilder();
        StringBuilder arguments = new StringBuilder();
        List<com.fasterxml.jackson.databind.JsonNode> fragments = new java.util.ArrayList<>();
        String finish = null;
        for (com.fasterxml.jackson.databind.JsonNode chunk : chunks) {
            com.fasterxml.jackson.databind.JsonNode choice = chunk.at("/choices/0");
            text.append(choice.at("/delta/content").asText(""));
            for (com.fasterxml.jackson.databind.JsonNode fragment : choice.at("/delta/tool_calls")) {
                fragments.add(fragment);
                arguments.append(fragment.at("/function/arguments").asText(""));
            }
            if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertThat(text).hasToString("I will ask the tool.");
        assertThat(fragments.get(0).path("index").asInt()).isZero();
        assertThat(fragments.get(0).path("id").asText()).matches("call_[A-Za-z0-9]{24}");
        assertThat(fragments.get(0).path("type").asText()).isEqualTo("function");
        assertThat(fragments.get(0).at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(fragments).as("arguments in several fragments").hasSizeGreaterThan(3);
        assertThat(fragments.subList(1, fragments.size())).allMatch(f -> f.path("id").isMissingNode() && f.at("/function/name").isMissingNode());
        assertThat(arguments).hasToString("{\"city\": \"Paris\"}");
        assertThat(finish).isEqualTo("tool_calls");
        assertThat(stream.body()).endsWith("data: [DONE]\n\n");
    }

    @Test
    void aTwoStepToolLoopThroughTheGateway() {
        HttpResponse<String> first = gateway.post("/v1/chat/completions",
                toolRequest("qwen-tools", false, "[{\"role\":\"user\",\"content\":\"Lisbon\"}]"));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode message = readTree(first.body()).at("/choices/0/message");
        assertThat(readTree(first.body()).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        com.fasterxml.jackson.databind.JsonNode call = message.at("/tool_calls/0");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(call.at("/function/arguments").asText()).isEqualTo("{\"city\": \"Lisbon\"}");
        String id = call.path("id").asText();

        String history = "[{\"role\":\"user\",\"content\":\"Lisbon\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + call + "]},{\"role\":\"tool\",\"tool_call_id\":\"" + id + "\",\"content\":\"21 degrees, sunny\"}]";
        HttpResponse<String> second = gateway.post("/v1/chat/completions", toolRequest("qwen-tools", true, history));
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(second.body()).contains("\"finish_reason\":\"stop\"").doesNotContain("tool_calls");
        StringBuilder text = new StringBuilder();
        for (String line : second.body().split("\n")) {
            if (line.startsWith("data: {")) {
                text.append(readTree(line.substring(6)).at("/choices/0/delta/content").asText(""));
            }
        }
        assertThat(text).hasToString("The tool says: 21 degrees, sunny");
    }

    @Test
    void toolsGoOnlyWhereTheModelCanCallThem() {
        HttpResponse<String> refused = gateway.post("/v1/chat/completions",
                toolRequest("qwen-vllm", false, "[{\"role\":\"user\",\"content\":\"Paris\"}]"));
        assertThat(refused.statusCode()).isEqualTo(400);
        com.fasterxml.jackson.databind.JsonNode error = readTree(refused.body()).path("error");
        assertThat(error.path("param").asText()).isEqualTo("tools");
        assertThat(error.path("message").asText()).contains("backend 'vllm' (model 'vllm_model') does not support tool calling");

        HttpResponse<String> skipped = gateway.post("/v1/chat/completions",
                toolRequest("qwen-mixed", false, "[{\"role\":\"user\",\"content\":\"Oslo\"}]"));
        assertThat(skipped.statusCode()).as(skipped.body()).isEqualTo(200);
        assertThat(skipped.headers().firstValue("x-meridian-backend")).contains("qwen");
        assertThat(readTree(skipped.body()).at("/choices/0/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");

        HttpResponse<String> plain = gateway.post("/v1/chat/completions", TestGateway.chatBody("qwen-mixed", false));
        assertThat(plain.headers().firstValue("x-meridian-backend")).contains("vllm");
    }

    @Test
    void theModelListShowsWhatEachTritonModelCanDo() {
        HttpResponse<String> list = gateway.get("/v1/models");
        assertThat(list.statusCode()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode tools = readTree(gateway.get("/v1/models/qwen-tools").body()).path("capabilities");
        assertThat(tools.path("tools").asBoolean()).isTrue();
        assertThat(tools.path("vision").asBoolean(true)).isFalse();
        assertThat(tools.path("logprobs").asBoolean(true)).isFalse();
        assertThat(tools.path("multiple_choices").asBoolean(true)).isFalse();
        assertThat(tools.path("json_object").asBoolean(true)).isFalse();
        assertThat(tools.path("context_window").asInt()).isEqualTo(32768);
        com.fasterxml.jackson.databind.JsonNode plain = readTree(gateway.get("/v1/models/qwen-vllm").body()).path("capabilities");
        assertThat(plain.path("tools").asBoolean(true)).isFalse();
        assertThat(plain.has("context_window")).isFalse();
        com.fasterxml.jackson.databind.JsonNode mixed = readTree(gateway.get("/v1/models/qwen-mixed").body()).path("capabilities");
        assertThat(mixed.path("tools").asBoolean()).as("one of its routes can").isTrue();
        assertThat(mixed.has("context_window")).as("not every route knows its window").isFalse();
        assertThat(list.body()).contains("\"id\":\"qwen-tools\"");
    }

    @Test
    void aParameterNoTritonConventionTakesIsA400NamingIt() {
        HttpResponse<String> refused = gateway.post("/v1/chat/completions",
                "{\"model\":\"llama-trt\",\"logit_bias\":{\"1\":-100},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(readTree(refused.body()).at("/error/param").asText()).isEqualTo("logit_bias");
        HttpResponse<String> twoChoices = gateway.post("/v1/chat/completions",
                "{\"model\":\"qwen-vllm\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(twoChoices.statusCode()).isEqualTo(400);
        assertThat(readTree(twoChoices.body()).at("/error/param").asText()).isEqualTo("n");
        HttpResponse<String> topK = gateway.post("/v1/chat/completions",
                "{\"model\":\"qwen-vllm\",\"top_k\":5,\"repetition_penalty\":1.1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(topK.statusCode()).as(topK.body()).isEqualTo(200);
    }

    @Test
    void aLegacyCompletionIsAnsweredByTritonAndItsOpenAiOnlyFieldsAreRefused() {
        // That the prompt goes in as text_input without the chat template is TritonWireTest's.
        HttpResponse<String> completion = gateway.post("/v1/completions", "{\"model\":\"qwen-vllm\",\"prompt\":\"def fib(n):\",\"max_tokens\":8}");
        assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
        assertThat(readTree(completion.body()).at("/choices/0/text").asText()).isEqualTo("Hello from a fake Triton.");
        HttpResponse<String> streamed = gateway.post("/v1/completions", "{\"model\":\"llama-trt\",\"prompt\":\"Once\",\"stream\":true}");
        assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
        assertThat(streamed.body()).contains("\"object\":\"text_completion\"").endsWith("data: [DONE]\n\n");
        HttpResponse<String> suffix = gateway.post("/v1/completions", "{\"model\":\"qwen-vllm\",\"prompt\":\"a\",\"suffix\":\"b\"}");
        assertThat(suffix.statusCode()).isEqualTo(400);
        assertThat(readTree(suffix.body()).at("/error/param").asText()).isEqualTo("suffix");
    }

    @Test
    void bothConventionsAnswerWholeAndStreamed() {
        for (String model : List.of("llama-trt", "qwen-vllm")) {
            HttpResponse<String> whole = gateway.post("/v1/chat/completions", TestGateway.chatBody(model, false));
            assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
            assertThat(whole.body()).contains("\"content\":\"Hello from a fake Triton.\"").contains("\"usage\":{\"prompt_tokens\":");
            assertThat(whole.headers().firstValue("x-meridian-backend")).contains(model.equals("llama-trt") ? "trt" : "vllm");

            HttpResponse<String> stream = gateway.post("/v1/chat/completions", TestGateway.chatBody(model, true));
            assertThat(stream.statusCode()).isEqualTo(200);
            assertThat(stream.body()).contains("\"content\":\"Hello\"", "\"content\":\" Triton\"").endsWith("data: [DONE]\n\n");
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void readinessAsksTheTritonServers() {
        HttpResponse<String> ready = gateway.get("/health/ready", "authorization", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        com.fasterxml.jackson.databind.JsonNode body = readTree(ready.body());
        assertThat(body.at("/backends/trt/ready").asBoolean()).isTrue();
        assertThat(body.at("/backends/vllm/ready").asBoolean()).isTrue();
    }
}
