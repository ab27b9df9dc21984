package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Connections as a hostile or unusual client makes them, over raw sockets: a head or body sent a byte at a
 * time (slowloris) is answered 408 and closed at its deadline; connections over the per-address cap are
 * answered 429; a client that shuts down its sending side after the request gets its answer on every
 * endpoint, the chat fast path included; and while the gateway drains for shutdown, new requests get 503
 * while the stream under way finishes.
 */
class ConnectionGuardTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(),
                Map.of("first-token-timeout", "10s", "total-timeout", "30s"))));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")),
                "retry", Map.of("max-attempts", 1))));
        meridian.put("http", Map.of("request-header-timeout", "1s", "request-body-timeout", "1500ms", "max-connections-per-address", 6));
        meridian.put("shutdown", Map.of("drain-time", "10s"));
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

    private static int port() {
        return Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    private static Socket open() throws IOException {
        Socket socket = new Socket("127.0.0.1", port());
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** Everything the server sends until it closes the connection (or the read times out). */
    private static String readAll(Socket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | SocketException e) {
            // whatever arrived is the answer
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    private static String request(String method, String path, String body, String... extraHeaders) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
                .append(TestGateway.KEY).append("\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
        }
        for (String header : extraHeaders) {
            head.append(header).append("\r\n");
        }
        return head.append("\r\n").append(body == null ? "" : body).toString();
    }

    @Test
    void aHeadSentAByteAtATimeIsAnswered408AndClosedAtItsDeadline() throws Exception {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            String head = "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Slow: ";
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    out.write(head.charAt(i % head.length()));
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                }
                Thread.sleep(100);
            }
            String answer = readAll(socket);
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(answer).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"").contains("head");
            assertThat(seconds).as("closed at the 1 s deadline, not when the client stops").isLessThan(4.5);
        }
    }

    @Test
    void aBodyThatStopsArrivingIsAnswered408AndClosed() throws Exception {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            long start = System.nanoTime();
            out.write(("POST /v1/knowledge_bases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = readAll(socket);
            assertThat(answer).startsWith("HTTP/1.1 408").contains("body");
            assertThat((System.nanoTime() - start) / 1e9).isBetween(1.2, 6.0);
        }
    }

    @Test
    void theAnthropicDoorsSlowBodyIsToldInAnthropicsShape() throws Exception {
        try (Socket socket = open()) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: x\r\nx-api-key: " + TestGateway.KEY
                    + "\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"model\":")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = readAll(socket);
            assertThat(answer).startsWith("HTTP/1.1 408");
            JsonNode body = new ObjectMapper().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertThat(body.path("type").asText()).isEqualTo("error");
            assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
            assertThat(body.at("/error/message").asText()).contains("body");
        }
    }

    @Test
    void connectionsOverThePerAddressCapAreAnswered429() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                held.add(open());
            }
            Thread.sleep(200);
            try (Socket extra = open()) {
                String answer = readAll(extra);
                assertThat(answer).startsWith("HTTP/1.1 429").contains("too_many_connections").contains("retry-after: 1");
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        Thread.sleep(300);
        assertThat(gateway.get("/v1/models").statusCode()).as("room again once they closed").isEqualTo(200);
    }

    @Test
    void aClientThatShutsDownItsSendingSideStillGetsItsAnswerEverywhere() throws Exception {
        assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"halfclose\"}").statusCode()).isIn(201, 409);
        record Case(String name, String request, String expected) {
        }
        List<Case> cases = List.of(
                new Case("chat (fast path)", request("POST", "/v1/chat/completions", TestGateway.chatBody("chat", false)), "\"chat.completion\""),
                new Case("chat stream (fast path)", request("POST", "/v1/chat/completions", TestGateway.chatBody("chat", true)), "[DONE]"),
                new Case("chat (framework, chunked body)", "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(TestGateway.chatBody("chat", false).getBytes(StandardCharsets.UTF_8).length) + "\r\n"
                        + TestGateway.chatBody("chat", false) + "\r\n0\r\n\r\n", "\"chat.completion\""),
                new Case("conversations", request("GET", "/v1/conversations", null), "\"object\":\"list\""),
                new Case("knowledge bases", request("GET", "/v1/knowledge_bases", null), "halfclose"),
                new Case("knowledge query", request("POST", "/v1/knowledge_bases/halfclose/query", "{\"query\":\"anything\"}"), "\"object\":\"list\""),
                new Case("embeddings", request("POST", "/v1/embeddings", "{\"model\":\"bge-small-zh-v1.5\",\"input\":\"hello\"}"), "\"embedding\""),
                new Case("models", request("GET", "/v1/models", null), "\"object\":\"list\""),
                new Case("health", request("GET", "/health/ready", null), "\"status\""));
        for (Case c : cases) {
            upstream.enqueue(UpstreamBehavior.answer("Hello", " there").withFirstDelay(Duration.ofMillis(300)));
            try (Socket socket = open()) {
                socket.getOutputStream().write(c.request().getBytes(StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                socket.shutdownOutput();
                // Interim 100 (Continue) answers may come first: they probe whether the client is still there.
                String answer = readAll(socket).replaceFirst("^(HTTP/1\\.1 100 Continue\r\n\r\n)+", "");
                assertThat(answer).as(c.name()).startsWith("HTTP/1.1 200").contains(c.expected());
            }
        }
    }

    @Test
    void drainingRefusesNewRequestsWhileTheStreamUnderWayFinishes() throws Exception {
        // A gateway of its own: draining is one-way.
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(),
                Map.of("first-token-timeout", "10s", "total-timeout", "30s"))));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")))));
        meridian.put("shutdown", Map.of("drain-time", "10s"));
        try (TestGateway draining = TestGateway.start(meridian)) {
            int port = Integer.parseInt(draining.url().substring(draining.url().lastIndexOf(':') + 1));
            upstream.enqueue(UpstreamBehavior.answer("first", " second", " third").withPauseBeforeLast(Duration.ofMillis(1500)));
            Socket streaming = new Socket("127.0.0.1", port);
            streaming.setSoTimeout(15_000);
            streaming.getOutputStream().write(request("POST", "/v1/chat/completions", TestGateway.chatBody("chat", true))
                    .getBytes(StandardCharsets.UTF_8));
            Thread.sleep(300); // the stream is under way
            GracefulShutdown shutdown = draining.context().getBean(GracefulShutdown.class);
            long start = System.nanoTime();
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(shutdown::drain);
            Thread.sleep(200);
            assertThat(draining.get("/health/ready").statusCode()).isEqualTo(503);
            assertThat(draining.get("/health/ready").body()).contains("\"draining\":true");
            var refused = draining.get("/v1/models");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).contains("shutting down");
            assertThat(refused.headers().firstValue("retry-after")).contains("1");
            var anthropic = draining.post("/v1/messages", "{}", "anthropic-version", "2023-06-01");
            assertThat(anthropic.statusCode()).isEqualTo(503);
            JsonNode refusal = new ObjectMapper().readTree(anthropic.body());
            assertThat(refusal.path("type").asText()).as("the Anthropic door's shape").isEqualTo("error");
            assertThat(refusal.at("/error/message").asText()).contains("shutting down");
            String stream = readAll(streaming);
            streaming.close();
            assertThat(stream).startsWith("HTTP/1.1 200").contains("third").contains("data: [DONE]");
            assertThat(drained.get(15, TimeUnit.SECONDS)).as("everything finished within the drain time").isTrue();
            assertThat((System.nanoTime() - start) / 1e9).isLessThan(8.0);
        }
    }
}
