package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * Malformed and hostile requests each get a clear OpenAI-shaped 4xx naming the problem, never a 500 or a
 * hang, and nothing reaches the upstream; the gateway keeps serving afterwards.
 */
class BadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m"))))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @AfterEach
    void stillServesAndNothingLeaked() {
        List<FakeOpenAiUpstream.RecordedRequest> leaked = upstream.requests();
        upstream.reset();
        assertThat(leaked).as("a rejected request never reaches the upstream").isEmpty();
        HttpResponse<String> ok = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false));
        assertThat(ok.statusCode()).isEqualTo(200);
        upstream.reset();
    }

    static Stream<Arguments> badBodies() {
        String msg = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        return Stream.of(
                Arguments.of("not JSON", "{\"model\": \"chat\", ", 400, null, "invalid_json"),
                Arguments.of("JSON but not an object", "[1,2,3]", 400, null, "invalid_json"),
                Arguments.of("trailing garbage", "{\"model\":\"chat\"," + msg + "} trailing", 400, null, "invalid_json"),
                Arguments.of("empty body", "", 400, null, "invalid_json"),
                Arguments.of("model missing", "{" + msg + "}", 400, "model", "missing_required_parameter"),
                Arguments.of("model of wrong type", "{\"model\":42," + msg + "}", 400, "model", "invalid_type"),
                Arguments.of("messages missing", "{\"model\":\"chat\"}", 400, "messages", "missing_required_parameter"),
                Arguments.of("messages not an array", "{\"model\":\"chat\",\"messages\":\"hi\"}", 400, "messages", "invalid_type"),
                Arguments.of("messages empty", "{\"model\":\"chat\",\"messages\":[]}", 400, "messages", "empty_array"),
                Arguments.of("message not an object", "{\"model\":\"chat\",\"messages\":[\"hi\"]}", 400, "messages[0]", "invalid_type"),
                Arguments.of("role missing", "{\"model\":\"chat\",\"messages\":[{\"content\":\"hi\"}]}", 400, "messages[0].role", "missing_required_parameter"),
                Arguments.of("role unknown", "{\"model\":\"chat\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "messages[0].role", "invalid_value"),
                Arguments.of("tool message without its call id", "{\"model\":\"chat\",\"messages\":[{\"role\":\"tool\",\"content\":\"hi\"}]}", 400, "messages[0].tool_call_id", "missing_required_parameter"),
                Arguments.of("content of wrong type", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":7}]}", 400, "messages[0].content", "invalid_type"),
                Arguments.of("user content missing", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\"}]}", 400, "messages[0].content", "missing_required_parameter"),
                Arguments.of("image content part without url", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{}}]}]}", 400, "messages[0].content[0].image_url.url", "missing_required_parameter"),
                Arguments.of("temperature as string", "{\"model\":\"chat\"," + msg + ",\"temperature\":\"hot\"}", 400, "temperature", "invalid_type"),
                Arguments.of("temperature out of range", "{\"model\":\"chat\"," + msg + ",\"temperature\":9}", 400, "temperature", null),
                Arguments.of("top_p out of range", "{\"model\":\"chat\"," + msg + ",\"top_p\":-1}", 400, "top_p", null),
                Arguments.of("max_tokens fractional", "{\"model\":\"chat\"," + msg + ",\"max_tokens\":1.5}", 400, "max_tokens", "invalid_type"),
                Arguments.of("max_tokens zero", "{\"model\":\"chat\"," + msg + ",\"max_tokens\":0}", 400, "max_tokens", null),
                Arguments.of("max_tokens huge", "{\"model\":\"chat\"," + msg + ",\"max_tokens\":99999999999999}", 400, "max_tokens", "invalid_value"),
                Arguments.of("stream as string", "{\"model\":\"chat\"," + msg + ",\"stream\":\"yes\"}", 400, "stream", "invalid_type"),
                Arguments.of("stream_options without stream", "{\"model\":\"chat\"," + msg + ",\"stream_options\":{\"include_usage\":true}}", 400, "stream_options", null),
                Arguments.of("n above the limit", "{\"model\":\"chat\"," + msg + ",\"n\":129}", 400, "n", "invalid_value"),
                Arguments.of("five stop sequences", "{\"model\":\"chat\"," + msg + ",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}", 400, "stop", null),
                Arguments.of("stop of wrong type", "{\"model\":\"chat\"," + msg + ",\"stop\":[1]}", 400, "stop[0]", "invalid_type"),
                Arguments.of("tool without its function", "{\"model\":\"chat\"," + msg + ",\"tools\":[{\"type\":\"function\"}]}", 400, "tools[0].function", "missing_required_parameter"),
                Arguments.of("response_format unknown", "{\"model\":\"chat\"," + msg + ",\"response_format\":{\"type\":\"xml\"}}", 400, "response_format.type", null),
                Arguments.of("seed as text", "{\"model\":\"chat\"," + msg + ",\"seed\":\"1\"}", 400, "seed", "invalid_type"),
                Arguments.of("nesting bomb", "{\"model\":\"chat\"," + msg + ",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, null, "invalid_json"),
                Arguments.of("number bomb", "{\"model\":\"chat\"," + msg + ",\"temperature\":1" + "0".repeat(5000) + "}", 400, null, "invalid_json"),
                Arguments.of("unknown model", "{\"model\":\"gpt-99\"," + msg + "}", 404, "model", "model_not_found"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreClearOpenAiErrors(String name, String body, int status, String param, String code) throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            String sent = stream && body.startsWith("{\"model\"") && !body.contains("\"stream")
                    ? body.replaceFirst("\\{", "{\"stream\":true,") : body;
            HttpResponse<String> response = gateway.post("/v1/chat/completions", sent);
            assertOpenAiError(response, status, param, code);
        }
    }

    @Test
    void unknownFieldsAreIgnoredLikeOpenAiDoes() {
        HttpResponse<String> response = gateway.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"extra\":1}],\"logit_bias\":{},\"future_param\":[1]}");
        assertThat(response.statusCode()).isEqualTo(200);
        upstream.reset();
    }

    @Test
    void invalidUtf8IsABadRequest() throws Exception {
        byte[] prefix = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}]}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 3 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xff;
        body[prefix.length + 1] = (byte) 0xfe;
        body[prefix.length + 2] = (byte) 0xc3;
        System.arraycopy(suffix, 0, body, prefix.length + 3, suffix.length);
        HttpResponse<String> response = gateway.postBytes("/v1/chat/completions", body);
        assertOpenAiError(response, 400, null, "invalid_json");
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("UTF-8");
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        byte[] big = new byte[10 * 1024 * 1024 + 100];
        Arrays.fill(big, (byte) 'a');
        byte[] head = "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, big, 0, head.length);
        HttpResponse<String> response = gateway.postBytes("/v1/chat/completions", big);
        assertOpenAiError(response, 413, null, "request_too_large");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1024 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            String status = null;
            try {
                for (int i = 0; i < 12; i++) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } catch (java.io.IOException closedEarly) {
                // the server may answer and close before the whole body is sent
            }
            InputStream in = socket.getInputStream();
            byte[] response = in.readNBytes(200);
            status = new String(response, StandardCharsets.US_ASCII);
            assertThat(status).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void missingAndWrongKeysAre401() throws Exception {
        assertOpenAiError(gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", null),
                401, null, "invalid_api_key");
        assertOpenAiError(gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", "Bearer sk-nope"),
                401, null, "invalid_api_key");
        assertOpenAiError(gateway.get("/v1/models", "authorization", "Basic abc"), 401, null, "invalid_api_key");
    }

    @Test
    void unknownRoutesWrongMethodsAndMediaTypesAreOpenAiShaped() throws Exception {
        assertOpenAiError(gateway.get("/v1/nothing-here"), 404, null, "not_found");
        assertOpenAiError(gateway.get("/v1/chat/completions"), 405, null, "method_not_allowed");
        HttpResponse<String> formPost = gateway.post("/v1/chat/completions", "model=chat", "content-type", "application/x-www-form-urlencoded");
        assertThat(formPost.statusCode()).isBetween(400, 499);
        assertThat(JSON.readTree(formPost.body()).at("/error/message").asText()).isNotBlank();
    }

    @Test
    void aClientThatSendsHalfARequestAndStallsDoesNotHoldTheGatewayHostage() throws Exception {
        try (Socket stalled = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)))) {
            stalled.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"mo")
                    .getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            HttpResponse<String> other = gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false));
            assertThat(other.statusCode()).as("other clients are served meanwhile").isEqualTo(200);
            upstream.reset();
        }
    }

    static void assertOpenAiError(HttpResponse<String> response, int status, String param, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertThat(error).as("OpenAI error shape: " + response.body()).isNotNull();
        assertThat(error.fieldNames()).toIterable().containsExactly("message", "type", "param", "code");
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isNotBlank();
        if (param == null) {
            assertThat(error.get("param").isNull()).isTrue();
        } else {
            assertThat(error.get("param").asText()).isEqualTo(param);
        }
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        } else {
            assertThat(error.get("code").isTextual()).as("every client error names a documented code: " + response.body()).isTrue();
        }
    }
}
