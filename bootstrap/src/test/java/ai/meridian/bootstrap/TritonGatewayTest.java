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
    private static FakeTritonServer trtllm;
    private static FakeTritonServer vllm;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        trtllm = FakeTritonServer.startNamed("trtllm");
        vllm = FakeTritonServer.startNamed("vllm");
        gateway = TestGateway.start(Map.of(
                "backends", Map.of(
                        "trt", Map.of("type", "triton", "endpoints", List.of(trtllm.endpoint()), "model", trtllm.model(),
                                "convention", "trtllm", "chat-template", "llama3"),
                        "vllm", Map.of("type", "triton", "endpoints", List.of(vllm.endpoint()),
                                "model", vllm.model(), "convention", "vllm", "chat-template", "chatml")),
                "models", List.of(
                        Map.of("id", "llama-trt", "routes", List.of(TestGateway.route("trt", trtllm.model()))),
                        Map.of("id", "qwen-vllm", "routes", List.of(TestGateway.route("vllm", vllm.model()))))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        trtllm.close();
        vllm.close();
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
