package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The semantic cache on Qdrant ({@code meridian.cache.semantic.index: qdrant}) with Qdrant unreachable: every request
 * is still answered, the exact cache still serves repeats, and the semantic level only reports errors.
 */
class SemanticCacheIndexDownTest {

    @Test
    void anUnreachableSemanticIndexCostsOnlyTheSemanticLevel() throws Exception {
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.byDefault(UpstreamBehavior.answer("Answered without the semantic index."));
            Map<String, Object> meridian = new LinkedHashMap<>();
            meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
            meridian.put("models", List.of(Map.of("id", "similar", "routes", List.of(TestGateway.route("up", "m")),
                    "cache", Map.of("semantic", Map.of("enabled", true)))));
            meridian.put("knowledge", Map.of("qdrant", Map.of("host", "127.0.0.1", "port", deadPort, "timeout", "500ms")));
            meridian.put("cache", Map.of("semantic", Map.of("index", "qdrant")));
            try (TestGateway gateway = TestGateway.start(meridian)) {
                String body = "{\"model\":\"similar\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France?\"}]}";
                HttpResponse<String> first = gateway.post("/v1/chat/completions", body);
                assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
                assertThat(first.headers().firstValue("x-meridian-cache")).contains("miss");
                HttpResponse<String> again = gateway.post("/v1/chat/completions", body);
                assertThat(again.statusCode()).isEqualTo(200);
                assertThat(again.headers().firstValue("x-meridian-cache")).contains("hit");
                assertThat(again.headers().firstValue("x-meridian-cache-level")).contains("l1");
                HttpResponse<String> paraphrase = gateway.post("/v1/chat/completions", body.replace("What is", "What's"));
                assertThat(paraphrase.statusCode()).as(paraphrase.body()).isEqualTo(200);
                assertThat(paraphrase.headers().firstValue("x-meridian-cache")).contains("miss");
                assertThat(gateway.get("/metrics").body()).contains("meridian_cache_errors_total{level=\"semantic\"}");
                assertThat(upstream.requests()).hasSize(2);
            }
        }
    }
}
