package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WebSocket door: the chat API over JSON frames, several requests per connection, cancel, resume, auth, heartbeat, backpressure. */
class WebSocketDoorTest {
    private static final String CHUNK = "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,";
    private static final List<String> TOOL_CALL_EVENTS = List.of(
            CHUNK + "\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}",
            CHUNK + "\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":null}]}",
            CHUNK + "\"delta\":{},\"finish_reason\":\"tool_calls\"}]}");
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of("total-timeout", "60s", "circuit-breaker", Map.of("enabled", false))));
        gateway = TestGateway.start(Map.of("backends", backends,
                "websocket", Map.of("ping-interval", "700ms", "idle-timeout", "3s", "auth-timeout", "1s", "send-buffer", "64KB"),
                "http", Map.of("request-header-timeout", "1s"),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")), "retry", TestGateway.fastRetry(1)))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    @BeforeEach
    void clean() {
        upstream.reset();
    }

    private static String request(String id, String extra) {
        return "{\"type\":\"request\",\"id\":\"" + id + "\",\"body\":{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]"
                + extra + "}}";
    }

    @Test
    void aRequestIsAnsweredWithStartChunksAndAFinalFrameWithUsage() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("Hello", " over", " WebSocket"));
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            ws.send(request("r1", ""));
            List<JsonNode> frames = ws.until("r1");
            assertThat(frames.get(0).path("type").asText()).isEqualTo("start");
            assertThat(frames.get(0).path("seq").asLong()).isEqualTo(1);
            assertThat(frames.get(0).path("stream_id").asText()).startsWith("chatcmpl-");
            assertThat(frames.get(0).path("resumable").asBoolean()).isTrue();
            assertThat(WsClient.text(frames)).isEqualTo("Hello over WebSocket");
            JsonNode last = frames.get(frames.size() - 1);
            assertThat(last.path("type").asText()).isEqualTo("final");
            assertThat(last.at("/finish_reasons/0").asText()).isEqualTo("stop");
            assertThat(last.at("/usage/total_tokens").asInt()).isPositive();
            assertThat(last.at("/chunks/0/choices/0/finish_reason").asText()).isEqualTo("stop");
            for (int i = 1; i < frames.size(); i++) {
                assertThat(frames.get(i).path("seq").asLong()).isEqualTo(frames.get(i - 1).path("seq").asLong() + 1);
            }
            assertThat(frames.get(1).at("/chunk/object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(upstream.requests().get(0).body()).contains("\"stream\":true");
        }
    }

    /**
     * The connection guard's deadlines are for HTTP requests: once the upgrade is answered (101), frames arm none. Before,
     * a connection was cut at the head deadline: with the upgrade ahead of the guard's handler by a raw 408 (the upgrade
     * request's head never reached the guard), behind it by a close one deadline after the first frame from the client.
     */
    @Test
    void aConnectionOutlivesTheDeadlineForARequestHead() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("still", " here"));
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            Thread.sleep(2_200); // past the 1 s head deadline (and 1 s after the first pong), within the 3 s idle timeout
            ws.send(request("late", ""));
            assertThat(WsClient.text(ws.until("late"))).isEqualTo("still here");
        }
    }

    @Test
    void toolCallDeltasArriveInTheChunks() throws Exception {
        upstream.enqueue(UpstreamBehavior.verbatim(null, TOOL_CALL_EVENTS));
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]";
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            ws.send(request("t1", tools));
            List<JsonNode> frames = ws.until("t1");
            StringBuilder arguments = new StringBuilder();
            String name = null;
            for (JsonNode frame : frames) {
                for (JsonNode call : frame.at("/chunk/choices/0/delta/tool_calls")) {
                    arguments.append(call.at("/function/arguments").asText(""));
                    if (call.at("/function/name").isTextual()) {
                        name = call.at("/function/name").asText();
                    }
                }
            }
            assertThat(name).isEqualTo("get_weather");
            assertThat(arguments.toString()).isEqualTo("{\"city\":\"Paris\"}");
            assertThat(frames.get(frames.size() - 1).at("/finish_reasons/0").asText()).isEqualTo("tool_calls");
            assertThat(upstream.requests().get(0).body()).contains("\"tools\"");
        }
    }

    @Test
    void severalRequestsInFlightOnOneConnectionAreToldApartAndOneCanBeCancelled() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("a1", " a2", " a3", " a4").withPieceDelay(Duration.ofMillis(40)),
                UpstreamBehavior.answer("b1", " b2").withPieceDelay(Duration.ofMillis(40)),
                UpstreamBehavior.answer(words(300)).withPieceDelay(Duration.ofMillis(30)));
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            // One at a time to the upstream, so each request meets the answer queued for it (the fake answers in arrival order).
            ws.send(request("a", ""));
            awaitUpstreamRequests(1);
            ws.send(request("b", ""));
            awaitUpstreamRequests(2);
            ws.send(request("c", ""));
            assertThat(WsClient.text(ws.until("b"))).isEqualTo("b1 b2");
            assertThat(WsClient.text(ws.until("a"))).isEqualTo("a1 a2 a3 a4");
            ws.send("{\"type\":\"cancel\",\"id\":\"c\"}");
            List<JsonNode> c = ws.until("c");
            assertThat(c.get(c.size() - 1).path("type").asText()).isEqualTo("cancelled");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (upstream.clientDisconnects() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(upstream.clientDisconnects()).as("the cancelled request's upstream call is closed").isEqualTo(1);
            ws.send("{\"type\":\"cancel\",\"id\":\"c\"}");
            assertThat(ws.next().at("/error/code").asText()).isEqualTo("request_not_found");
        }
    }

    private static String[] words(int n) {
        String[] words = new String[n];
        for (int i = 0; i < n; i++) {
            words[i] = "w" + i + " ";
        }
        return words;
    }

    @Test
    void errorsAreFramesInOpenAisShape() throws Exception {
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            ws.send("{\"type\":\"request\",\"id\":\"x\",\"body\":{\"model\":\"gpt-17\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}");
            JsonNode notFound = ws.next();
            assertThat(notFound.path("type").asText()).isEqualTo("error");
            assertThat(notFound.path("id").asText()).isEqualTo("x");
            assertThat(notFound.path("status").asInt()).isEqualTo(404);
            assertThat(notFound.at("/error/code").asText()).isEqualTo("model_not_found");
            ws.send("{\"type\":\"request\",\"id\":\"y\",\"body\":{\"model\":\"chat\",\"messages\":[],\"temperature\":9}}");
            JsonNode invalid = ws.next();
            assertThat(invalid.path("status").asInt()).isEqualTo(400);
            assertThat(invalid.at("/error/type").asText()).isEqualTo("invalid_request_error");
            ws.send("{not json");
            JsonNode garbage = ws.next();
            assertThat(garbage.path("status").asInt()).isEqualTo(400);
            assertThat(garbage.path("id").isNull()).isTrue();
            ws.send(request("z", ",\"stream\":false"));
            assertThat(ws.next().at("/error/param").asText()).isEqualTo("stream");
            ws.send("{\"type\":\"teleport\",\"id\":\"q\"}");
            assertThat(ws.next().at("/error/param").asText()).isEqualTo("type");
            ws.send("{\"type\":\"request\",\"body\":{}}");
            assertThat(ws.next().at("/error/param").asText()).isEqualTo("id");
            ws.send("{\"type\":\"ping\"}");
            assertThat(ws.next().path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aBrowserAuthenticatesWithItsFirstFrameAndAnythingElseFirstIsClosedWith1008() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("ok"));
        try (WsClient ws = WsClient.connect(gateway.url(), null)) {
            ws.send("{\"type\":\"auth\",\"api_key\":\"" + TestGateway.KEY + "\"}");
            assertThat(ws.next().path("type").asText()).isEqualTo("authenticated");
            ws.send(request("r", ""));
            assertThat(WsClient.text(ws.until("r"))).isEqualTo("ok");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), null)) {
            ws.send(request("r", ""));
            assertThat(ws.next().at("/error/code").asText()).isEqualTo("invalid_api_key");
            assertThat(ws.closeReason()).startsWith("1008");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), null)) {
            ws.send("{\"type\":\"auth\",\"api_key\":\"sk-wrong\"}");
            assertThat(ws.next().at("/error/code").asText()).isEqualTo("invalid_api_key");
            assertThat(ws.closeReason()).startsWith("1008");
        }
        try (WsClient ws = WsClient.connect(gateway.url(), null)) {
            assertThat(ws.closeReason()).as("no auth frame within the auth timeout").startsWith("1008");
        }
    }

    @Test
    void aWrongKeyInTheHeaderIsRefusedBeforeTheUpgradeAndPlainHttpIsTold426() {
        try (RawSse refused = RawSse.open("127.0.0.1", port(), "GET", "/v1/chat/stream", null, "Authorization", "Bearer sk-wrong",
                "Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13")) {
            assertThat(refused.status).isEqualTo(401);
            assertThat(refused.body()).contains("invalid_api_key");
        }
        try (RawSse plain = RawSse.open("127.0.0.1", port(), "GET", "/v1/chat/stream", null, "Authorization", "Bearer " + TestGateway.KEY)) {
            assertThat(plain.status).isEqualTo(426);
            assertThat(plain.body()).contains("upgrade_required");
        }
    }

    private static int port() {
        return Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    @Test
    void theServerPingsAndAnIdleConnectionIsClosed() throws Exception {
        try (WsClient ws = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            Thread.sleep(2200);
            assertThat(ws.pings).as("pings every 700 ms").isGreaterThanOrEqualTo(2);
            assertThat(ws.closeReason()).as("idle for 3 s with pongs only").startsWith("1000");
        }
    }

    @Test
    void aClientResumesOverANewConnectionWithNoGapAndNoDuplicate() throws Exception {
        String[] words = words(40);
        upstream.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(20)));
        StringBuilder text = new StringBuilder();
        String streamId;
        long lastSeq;
        try (WsClient first = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            first.send(request("r", ""));
            JsonNode start = first.next();
            streamId = start.path("stream_id").asText();
            lastSeq = start.path("seq").asLong();
            for (int i = 0; i < 5; i++) {
                JsonNode chunk = first.next();
                text.append(chunk.at("/chunk/choices/0/delta/content").asText(""));
                lastSeq = chunk.path("seq").asLong();
            }
        }
        try (WsClient again = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            again.send("{\"type\":\"resume\",\"id\":\"r2\",\"stream_id\":\"" + streamId + "\",\"after\":" + lastSeq + "}");
            List<JsonNode> frames = again.until("r2");
            assertThat(frames.get(0).path("type").asText()).isEqualTo("start");
            assertThat(frames.get(1).path("seq").asLong()).isEqualTo(lastSeq + 1);
            text.append(WsClient.text(frames));
            assertThat(frames.get(frames.size() - 1).path("type").asText()).isEqualTo("final");
        }
        assertThat(text.toString()).isEqualTo(String.join("", words));
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void aReadOnlyKeyFollowingAStreamCancelsOnlyItsOwnFollowing() throws Exception {
        Admin admin = new Admin(gateway);
        admin.tenant("ws-acme");
        String member = admin.key("ws-acme", null)[1];
        String reader = admin.key("ws-acme", "\"role\":\"reader\"")[1];
        String[] words = words(30);
        upstream.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(30)));
        try (WsClient owner = WsClient.connect(gateway.url(), member); WsClient follower = WsClient.connect(gateway.url(), reader)) {
            owner.send(request("o", ""));
            JsonNode start = owner.next();
            String streamId = start.path("stream_id").asText();
            follower.send("{\"type\":\"resume\",\"id\":\"f\",\"stream_id\":\"" + streamId + "\",\"after\":0}");
            assertThat(follower.next().path("type").asText()).isEqualTo("start");
            follower.send("{\"type\":\"cancel\",\"id\":\"f\"}");
            List<JsonNode> followed = follower.until("f");
            assertThat(followed.get(followed.size() - 1).path("type").asText()).isEqualTo("cancelled");
            // The owner's answer runs to its end: the reader's cancel detached the reader, it did not stop the stream.
            List<JsonNode> own = owner.until("o");
            assertThat(own.get(own.size() - 1).path("type").asText()).isEqualTo("final");
            assertThat(WsClient.text(own)).isEqualTo(String.join("", words));
            assertThat(upstream.clientDisconnects()).isZero();
        }
    }

    @Test
    void aSlowReaderIsCutOffWith1008AndItsUpstreamCallCancelled() throws Exception {
        String big = "x".repeat(4000);
        String[] pieces = new String[4000];
        java.util.Arrays.fill(pieces, big);
        upstream.enqueue(UpstreamBehavior.answer(pieces));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port()));
            OutputStream out = socket.getOutputStream();
            out.write(("GET /v1/chat/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + TestGateway.KEY
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            writeMaskedText(out, request("big", ""));
            // Read nothing: the answer piles up until the gateway gives up on this reader.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (upstream.clientDisconnects() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(upstream.clientDisconnects()).as("the upstream call is cancelled (upstream requests: " + upstream.requests().size() + ", streaming " + upstream.streamsInProgress() + ")").isEqualTo(1);
            assertThat(gateway.get("/metrics").body()).contains("meridian_websocket_events_total{event=\"slow_reader\"}");
            // Now read: the frames that were waiting, then the close frame with 1008.
            socket.setSoTimeout(10_000);
            int code = closeCode(in);
            assertThat(code).isEqualTo(1008);
        }
    }

    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static void writeMaskedText(OutputStream out, String text) throws Exception {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = {1, 2, 3, 4};
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Reads server frames until the close frame; returns its status code. */
    private static int closeCode(InputStream in) throws Exception {
        while (true) {
            int first = in.read();
            if (first < 0) {
                return -1;
            }
            int second = in.read();
            long length = second & 0x7f;
            if (length == 126) {
                length = (in.read() << 8) | in.read();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | in.read();
                }
            }
            byte[] payload = in.readNBytes((int) length);
            if ((first & 0x0f) == 0x8) {
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
        }
    }

    private static void awaitUpstreamRequests(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (upstream.requests().size() < count && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(upstream.requests()).hasSizeGreaterThanOrEqualTo(count);
    }
}
