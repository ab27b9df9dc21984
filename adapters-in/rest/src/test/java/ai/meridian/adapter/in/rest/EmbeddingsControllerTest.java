package ai.meridian.adapter.in.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.application.service.EmbeddingService;
import ai.meridian.support.inboundhttp.Json;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/embeddings} through the real HTTP server, the real use case and the real all-MiniLM-L6-v2 model. */
class EmbeddingsControllerTest {
    static final String KEY = "sk-embeddings-test";
    static OnnxTextEmbedder embedder;
    static ApplicationContext context;
    static EmbeddedServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        embedder = new OnnxTextEmbedder(new OnnxEmbeddingSettings("all-minilm-l6-v2", 2, 1, 8, 64));
        context = ApplicationContext.builder()
                .singletons(new EmbeddingService(embedder), new SingleKeyAuthentication(KEY))
                .properties(Map.of("micronaut.server.port", -1))
                .deduceEnvironment(false)
                .start();
        server = context.getBean(EmbeddedServer.class).start();
    }

    @AfterAll
    static void stop() {
        context.close();
        embedder.close();
    }

    static HttpResponse<String> post(String body, boolean authenticated) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + "/v1/embeddings"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authenticated) {
            request.header("authorization", "Bearer " + KEY);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return Json.MAPPER.readTree(response.body());
    }

    static double norm(JsonNode embedding) {
        double sum = 0;
        for (JsonNode v : embedding) {
            sum += v.doubleValue() * v.doubleValue();
        }
        return Math.sqrt(sum);
    }

    @Test
    void aStringInputGetsOneUnitVectorInOpenAisShape() throws Exception {
        HttpResponse<String> response = post("{\"model\":\"all-minilm-l6-v2\",\"input\":\"The cat sits on the mat.\"}", true);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        JsonNode body = json(response);
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.get("model").asText()).isEqualTo("all-minilm-l6-v2");
        assertThat(body.get("data")).hasSize(1);
        JsonNode first = body.get("data").get(0);
        assertThat(first.get("object").asText()).isEqualTo("embedding");
        assertThat(first.get("index").asInt()).isZero();
        assertThat(first.get("embedding")).hasSize(384);
        assertThat(norm(first.get("embedding"))).isCloseTo(1.0, within(1e-3));
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(embedder.countTokens("The cat sits on the mat."));
        assertThat(body.get("usage").get("total_tokens").asInt()).isEqualTo(body.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void anArrayOfStringsComesBackInOrderAndBase64DecodesToTheSameFloats() throws Exception {
        String request = "{\"model\":\"all-minilm-l6-v2\",\"input\":[\"first text\",\"second text\",\"third\"]%s}";
        JsonNode floats = json(post(String.format(request, ""), true));
        JsonNode encoded = json(post(String.format(request, ",\"encoding_format\":\"base64\",\"dimensions\":384,\"user\":\"u1\""), true));
        assertThat(floats.get("data")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(encoded.get("data").get(i).get("index").asInt()).isEqualTo(i);
            ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded.get("data").get(i).get("embedding").asText()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertThat(bytes.remaining()).isEqualTo(384 * 4);
            for (int d = 0; d < 384; d++) {
                assertThat((double) bytes.getFloat()).isCloseTo(floats.get("data").get(i).get("embedding").get(d).doubleValue(), within(1e-6));
            }
        }
    }

    @Test
    void badRequestsGetOpenAiShapedErrors() throws Exception {
        assertError(post("{\"input\":\"x\"}", true), 400, "model", "missing_required_parameter");
        assertError(post("{\"model\":\"all-minilm-l6-v2\"}", true), 400, "input", "missing_required_parameter");
        assertError(post("{\"model\":\"text-embedding-3-small\",\"input\":\"x\"}", true), 404, "model", "model_not_found");
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":[[1,2,3]]}", true), 400, "input", "unsupported_value");
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":[]}", true), 400, "input", null);
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":[\"ok\",\"\"]}", true), 400, "input[1]", null);
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":{\"text\":\"x\"}}", true), 400, "input", null);
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\",\"encoding_format\":\"int8\"}", true), 400, "encoding_format", "invalid_value");
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\",\"dimensions\":256}", true), 400, "dimensions", null);
        assertError(post("{\"model\":\"all-minilm-l6-v2\",\"input\":", true), 400, null, "invalid_json");
        assertThat(post("{\"model\":\"all-minilm-l6-v2\",\"input\":\"x\"}", false).statusCode()).isEqualTo(401);
    }

    private static void assertError(HttpResponse<String> response, int status, String param, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        if (param == null) {
            assertThat(error.get("param").isNull()).isTrue();
        } else {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        }
    }
}
