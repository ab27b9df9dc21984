package ai.meridian.bootstrap;

import static ai.meridian.bootstrap.AnthropicMessagesApiTest.JSON;
import static ai.meridian.bootstrap.AnthropicMessagesApiTest.assertAnthropicError;
import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
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
 * The BadInputTest cases against the Anthropic door: malformed and hostile requests each get a clear 4xx in
 * Anthropic's shape ({@code {"type":"error","error":{"type","message"}}}) naming the field, never a 500 or a hang,
 * nothing reaches the upstream, and the gateway keeps serving.
 */
class AnthropicBadInputTest {
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
        HttpResponse<String> ok = post(OK);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        upstream.reset();
    }

    private static final String MSG = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    private static final String OK = "{\"model\":\"chat\",\"max_tokens\":10," + MSG + "}";

    private static HttpResponse<String> post(String body) {
        return gateway.post("/v1/messages", body, "authorization", null, "x-api-key", TestGateway.KEY, "anthropic-version", "2023-06-01");
    }

    private static String with(String fields) {
        return "{\"model\":\"chat\",\"max_tokens\":10," + MSG + "," + fields + "}";
    }

    private static String user(String content) {
        return "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":" + content + "}]}";
    }

    private static String assistant(String content) {
        return "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"assistant\",\"content\":"
                + content + "}]}";
    }

    static Stream<Arguments> badBodies() {
        String tool = "{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\"}}";
        return Stream.of(
                Arguments.of("not JSON", "{\"model\": \"chat\", ", 400, "invalid_request_error", "JSON"),
                Arguments.of("JSON but not an object", "[1,2,3]", 400, "invalid_request_error", "object"),
                Arguments.of("trailing garbage", OK + " trailing", 400, "invalid_request_error", "JSON"),
                Arguments.of("empty body", "", 400, "invalid_request_error", "empty"),
                Arguments.of("model missing", "{\"max_tokens\":10," + MSG + "}", 400, "invalid_request_error", "model: Field required"),
                Arguments.of("model of wrong type", "{\"model\":42,\"max_tokens\":10," + MSG + "}", 400, "invalid_request_error", "model:"),
                Arguments.of("max_tokens missing", "{\"model\":\"chat\"," + MSG + "}", 400, "invalid_request_error", "max_tokens: Field required"),
                Arguments.of("max_tokens fractional", "{\"model\":\"chat\",\"max_tokens\":1.5," + MSG + "}", 400, "invalid_request_error", "max_tokens:"),
                Arguments.of("max_tokens zero", "{\"model\":\"chat\",\"max_tokens\":0," + MSG + "}", 400, "invalid_request_error", "max_tokens:"),
                Arguments.of("max_tokens huge", "{\"model\":\"chat\",\"max_tokens\":99999999999999," + MSG + "}", 400, "invalid_request_error", "max_tokens:"),
                Arguments.of("max_tokens as string", "{\"model\":\"chat\",\"max_tokens\":\"10\"," + MSG + "}", 400, "invalid_request_error", "max_tokens:"),
                Arguments.of("messages missing", "{\"model\":\"chat\",\"max_tokens\":10}", 400, "invalid_request_error", "messages: Field required"),
                Arguments.of("messages not a list", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":\"hi\"}", 400, "invalid_request_error", "messages:"),
                Arguments.of("messages empty", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[]}", 400, "invalid_request_error", "messages:"),
                Arguments.of("message not an object", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[\"hi\"]}", 400, "invalid_request_error", "messages.0:"),
                Arguments.of("role missing", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"content\":\"hi\"}]}", 400, "invalid_request_error", "messages.0.role"),
                Arguments.of("system role in messages", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}", 400, "invalid_request_error", "top-level 'system'"),
                Arguments.of("role unknown", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400, "invalid_request_error", "messages.0.role"),
                Arguments.of("content missing", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\"}]}", 400, "invalid_request_error", "messages.0.content"),
                Arguments.of("content of wrong type", user("7"), 400, "invalid_request_error", "messages.0.content"),
                Arguments.of("unknown message field", "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"name\":\"x\"}]}", 400, "invalid_request_error", "messages.0.name"),
                Arguments.of("block not an object", user("[\"hi\"]"), 400, "invalid_request_error", "messages.0.content.0"),
                Arguments.of("block without a type", user("[{\"text\":\"hi\"}]"), 400, "invalid_request_error", "messages.0.content.0.type"),
                Arguments.of("text block without text", user("[{\"type\":\"text\"}]"), 400, "invalid_request_error", "messages.0.content.0.text"),
                Arguments.of("image without source", user("[{\"type\":\"image\"}]"), 400, "invalid_request_error", "messages.0.content.0.source"),
                Arguments.of("image of another media type", user("[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"text/html\",\"data\":\"AA\"}}]"), 400, "invalid_request_error", "media_type"),
                Arguments.of("tool_result without its id", user("[{\"type\":\"tool_result\",\"content\":\"x\"}]"), 400, "invalid_request_error", "tool_use_id"),
                Arguments.of("tool_result is_error as text", user("[{\"type\":\"tool_result\",\"tool_use_id\":\"t\",\"is_error\":\"yes\"}]"), 400, "invalid_request_error", "is_error"),
                Arguments.of("tool_use from the user", user("[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}]"), 400, "invalid_request_error", "assistant"),
                Arguments.of("thinking from the user", user("[{\"type\":\"thinking\",\"thinking\":\"x\",\"signature\":\"s\"}]"), 400, "invalid_request_error", "assistant"),
                Arguments.of("tool_use without input", assistant("[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\"}]"), 400, "invalid_request_error", "messages.1.content.0.input"),
                Arguments.of("tool_use input as text", assistant("[{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":\"{}\"}]"), 400, "invalid_request_error", "input"),
                Arguments.of("image from the assistant", assistant("[{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x\"}}]"), 400, "invalid_request_error", "user messages"),
                Arguments.of("system block not text", "{\"model\":\"chat\",\"max_tokens\":10,\"system\":[{\"type\":\"image\"}]," + MSG + "}", 400, "invalid_request_error", "system.0.type"),
                Arguments.of("system of wrong type", "{\"model\":\"chat\",\"max_tokens\":10,\"system\":7," + MSG + "}", 400, "invalid_request_error", "system:"),
                Arguments.of("temperature as string", with("\"temperature\":\"hot\""), 400, "invalid_request_error", "temperature"),
                Arguments.of("temperature above 1", with("\"temperature\":1.5"), 400, "invalid_request_error", "temperature"),
                Arguments.of("top_p out of range", with("\"top_p\":-1"), 400, "invalid_request_error", "top_p"),
                Arguments.of("top_k negative", with("\"top_k\":-1"), 400, "invalid_request_error", "top_k"),
                Arguments.of("stop_sequences not a list", with("\"stop_sequences\":\"END\""), 400, "invalid_request_error", "stop_sequences"),
                Arguments.of("stop sequence of wrong type", with("\"stop_sequences\":[1]"), 400, "invalid_request_error", "stop_sequences.0"),
                Arguments.of("stream as string", with("\"stream\":\"yes\""), 400, "invalid_request_error", "stream"),
                Arguments.of("tools not a list", with("\"tools\":{}"), 400, "invalid_request_error", "tools"),
                Arguments.of("tool without a name", with("\"tools\":[{\"input_schema\":{}}]"), 400, "invalid_request_error", "tools.0.name"),
                Arguments.of("tool with a bad name", with("\"tools\":[{\"name\":\"get weather\",\"input_schema\":{}}]"), 400, "invalid_request_error", "tools.0.name"),
                Arguments.of("tool without input_schema", with("\"tools\":[{\"name\":\"t\"}]"), 400, "invalid_request_error", "tools.0.input_schema"),
                Arguments.of("tool_choice of unknown type", with("\"tools\":[" + tool + "],\"tool_choice\":{\"type\":\"maybe\"}"), 400, "invalid_request_error", "tool_choice.type"),
                Arguments.of("tool_choice tool without a name", with("\"tools\":[" + tool + "],\"tool_choice\":{\"type\":\"tool\"}"), 400, "invalid_request_error", "tool_choice.name"),
                Arguments.of("tool_choice naming no tool", with("\"tools\":[" + tool + "],\"tool_choice\":{\"type\":\"tool\",\"name\":\"other\"}"), 400, "invalid_request_error", "tool_choice"),
                Arguments.of("tool_choice any without tools", with("\"tool_choice\":{\"type\":\"any\"}"), 400, "invalid_request_error", "tool_choice"),
                Arguments.of("thinking of wrong type", with("\"thinking\":\"on\""), 400, "invalid_request_error", "thinking"),
                Arguments.of("thinking enabled without budget", with("\"thinking\":{\"type\":\"enabled\"}"), 400, "invalid_request_error", "budget_tokens"),
                Arguments.of("metadata with an unknown member", with("\"metadata\":{\"team\":\"a\"}"), 400, "invalid_request_error", "metadata.team"),
                Arguments.of("metadata.user_id of wrong type", with("\"metadata\":{\"user_id\":5}"), 400, "invalid_request_error", "metadata.user_id"),
                Arguments.of("nesting bomb", with("\"x\":" + "[".repeat(5000) + "]".repeat(5000)), 400, "invalid_request_error", "JSON"),
                Arguments.of("number bomb", with("\"temperature\":1" + "0".repeat(5000)), 400, "invalid_request_error", "JSON"),
                Arguments.of("unknown model", "{\"model\":\"gpt-99\",\"max_tokens\":10," + MSG + "}", 404, "not_found_error", "gpt-99"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBodies")
    void badBodiesAreClearAnthropicErrors(String name, String body, int status, String type, String mentions) throws Exception {
        for (boolean stream : new boolean[] {false, true}) {
            String sent = stream && body.startsWith("{\"model\"") && !body.contains("\"stream") ? body.replaceFirst("\\{", "{\"stream\":true,") : body;
            HttpResponse<String> response = post(sent);
            assertAnthropicError(response, status, type);
            assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains(mentions);
        }
    }

    @Test
    void unknownTopLevelFieldsAreForwardedForTheBackendToTakeOrRefuse() throws Exception {
        HttpResponse<String> response = post(with("\"service_tier\":\"auto\",\"container\":null,\"future_param\":[1]"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String sent = upstream.requests().get(0).body();
        assertThat(JSON.readTree(sent).get("service_tier").asText()).isEqualTo("auto");
        assertThat(JSON.readTree(sent).get("future_param").get(0).asInt()).isEqualTo(1);
        assertThat(JSON.readTree(sent).has("container")).as("null counts as not sent").isFalse();
        upstream.reset();
    }

    @Test
    void invalidUtf8IsABadRequest() throws Exception {
        byte[] prefix = "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}]}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + 3 + suffix.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        body[prefix.length] = (byte) 0xff;
        body[prefix.length + 1] = (byte) 0xfe;
        body[prefix.length + 2] = (byte) 0xc3;
        System.arraycopy(suffix, 0, body, prefix.length + 3, suffix.length);
        HttpResponse<String> response = gateway.postBytes("/v1/messages", body, "authorization", null, "x-api-key", TestGateway.KEY);
        assertAnthropicError(response, 400, "invalid_request_error");
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("UTF-8");
    }

    @Test
    void aBodyOverTheLimitIsRequestTooLarge() throws Exception {
        byte[] big = new byte[10 * 1024 * 1024 + 100];
        Arrays.fill(big, (byte) 'a');
        byte[] head = "{\"model\":\"chat\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"".getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, big, 0, head.length);
        assertAnthropicError(gateway.postBytes("/v1/messages", big, "authorization", null, "x-api-key", TestGateway.KEY), 413, "request_too_large");
        assertAnthropicError(gateway.postBytes("/v1/messages/count_tokens", big, "authorization", null, "x-api-key", TestGateway.KEY), 413,
                "request_too_large");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413Too() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + TestGateway.KEY
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[1024 * 1024];
            Arrays.fill(chunk, (byte) 'a');
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
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[4096];
            for (int n = in.read(buffer); n > 0; n = received.indexOf("}}") < 0 ? in.read(buffer) : -1) {
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            String response = received.toString();
            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(response).contains("\"type\":\"request_too_large\"");
        }
    }

    @Test
    void wrongMethodsUnknownSubPathsAndStreamingCountsAreAnthropicShaped() throws Exception {
        assertAnthropicError(gateway.get("/v1/messages", "authorization", null, "x-api-key", TestGateway.KEY), 405, "invalid_request_error");
        assertAnthropicError(gateway.post("/v1/messages/batches/nope", OK, "authorization", null, "x-api-key", TestGateway.KEY), 404, "not_found_error");
        assertAnthropicError(gateway.post("/v1/messages/count_tokens", "{\"model\":\"chat\",\"stream\":true," + MSG + "}", "authorization", null,
                "x-api-key", TestGateway.KEY), 400, "invalid_request_error");
        assertAnthropicError(gateway.post("/v1/messages/count_tokens", "{\"model\":\"nope\"," + MSG + "}"), 404, "not_found_error");
        HttpResponse<String> form = gateway.post("/v1/messages", "model=chat", "authorization", null, "x-api-key", TestGateway.KEY,
                "content-type", "application/x-www-form-urlencoded");
        assertThat(form.statusCode()).isBetween(400, 499);
        assertThat(JSON.readTree(form.body()).get("type").asText()).isEqualTo("error");
    }

    @Test
    void aClientThatSendsHalfARequestAndStallsDoesNotHoldTheGatewayHostage() throws Exception {
        try (Socket stalled = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)))) {
            stalled.getOutputStream().write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + TestGateway.KEY
                    + "\r\nContent-Length: 500\r\n\r\n{\"mo").getBytes(StandardCharsets.US_ASCII));
            stalled.getOutputStream().flush();
            HttpResponse<String> other = post(OK);
            assertThat(other.statusCode()).as("other clients are served meanwhile").isEqualTo(200);
            upstream.reset();
        }
    }
}
