package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.context.event.BeanCreatedEventListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/chat/completions} is answered on a fast path in the Netty pipeline (ahead of the framework's
 * router) unless {@code meridian.http.fast-path} is false. Both paths must answer every request alike, and the
 * fast path must keep HTTP/1.1's rules: pipelined requests answered in order, {@code Connection: close} honoured.
 */
class ChatFastPathTest {
    private static final String LONG_ANSWER = "A long answer. ".repeat(120);
    private static FakeOpenAiUpstream upstream;
    /** Answers model "slow" after a pause, so that an answer given out of order would overtake it. */
    private static FakeOpenAiUpstream slowUpstream;
    private static TestGateway fast;
    private static TestGateway framework;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start().byDefault(UpstreamBehavior.answer("Hello", " there"));
        slowUpstream = FakeOpenAiUpstream.start().byDefault(UpstreamBehavior.answer("Slow", " one").withFirstDelay(Duration.ofMillis(400)));
        fast = TestGateway.start(config(true));
        framework = TestGateway.start(config(false));
    }

    private static Map<String, Object> config(boolean fastPath) {
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of()),
                "slow", TestGateway.openAiBackend(slowUpstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(
                Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")), "retry", Map.of("max-attempts", 1)),
                Map.of("id", "slow", "routes", List.of(TestGateway.route("slow", "m")), "retry", Map.of("max-attempts", 1))));
        meridian.put("http", Map.of("fast-path", fastPath));
        return meridian;
    }

    @AfterAll
    static void stop() {
        fast.close();
        framework.close();
        upstream.close();
        slowUpstream.close();
    }

    @BeforeEach
    void reset() {
        upstream.reset();
        upstream.byDefault(UpstreamBehavior.answer("Hello", " there"));
    }

    @Test
    void theFastPathIsInstalledOnlyWhenEnabled() {
        assertThat(installers(fast)).containsExactly("ChatFastPathInstaller");
        assertThat(installers(framework)).isEmpty();
    }

    private static List<String> installers(TestGateway gateway) {
        List<String> names = new ArrayList<>();
        for (Object listener : gateway.context().getBeansOfType(BeanCreatedEventListener.class)) {
            if (listener.getClass().getSimpleName().contains("FastPath")) {
                names.add(listener.getClass().getSimpleName().replaceAll("\\$.*", ""));
            }
        }
        return names;
    }

    @Test
    void plainChatRequestsAreTakenOnTheFastPathAndTheRestAreNot() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                "ai.meridian.adapter.in.rest.ChatFastPath");
        ListAppender<ILoggingEvent> taken = new ListAppender<>();
        taken.start();
        Level before = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        logger.addAppender(taken);
        try {
            fast.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "x-request-id", "plain-1");
            fast.post("/v1/chat/completions", TestGateway.chatBody("chat", true), "x-request-id", "stream-1");
            fast.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "x-request-id", "bad-key-1", "authorization", "Bearer wrong");
            fast.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "x-request-id", "brotli-1", "accept-encoding", "gzip, br");
            fast.send("POST", "/v1/chat/completions", HttpRequest.BodyPublishers.ofInputStream(
                    () -> new ByteArrayInputStream(TestGateway.chatBody("chat", false).getBytes(StandardCharsets.UTF_8))), "x-request-id", "chunked-1");
            framework.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "x-request-id", "framework-1");
        } finally {
            logger.detachAppender(taken);
            logger.setLevel(before);
        }
        assertThat(taken.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("plain-1")).anyMatch(m -> m.contains("stream-1"))
                .noneMatch(m -> m.contains("bad-key-1") || m.contains("brotli-1") || m.contains("chunked-1") || m.contains("framework-1"));
    }

    @Test
    void bothPathsAnswerEveryKindOfRequestAlike() {
        List<Function<TestGateway, HttpResponse<String>>> requests = List.of(
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false)),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", true)),
                g -> g.post("/v1/chat/completions", "{\"model\":\"chat\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                g -> g.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]",
                        "x-request-id", "client-chosen-id"),
                g -> g.post("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                g -> g.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[]}"),
                g -> g.post("/v1/chat/completions", "{\"model\":\"chat\",\"messages\":\"hi\"}"),
                g -> g.post("/v1/chat/completions", "[1,2]"),
                g -> g.post("/v1/chat/completions", ""),
                g -> g.postBytes("/v1/chat/completions", new byte[] {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", "Bearer wrong"),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", null),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "accept", "text/html"),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "accept", "application/json"),
                g -> g.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "content-type", "text/plain"),
                // Bodies of unknown length arrive chunked: the framework answers those.
                g -> g.send("POST", "/v1/chat/completions", HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(TestGateway.chatBody("chat", false).getBytes(StandardCharsets.UTF_8)))));
        for (int i = 0; i < requests.size(); i++) {
            HttpResponse<String> viaFast = requests.get(i).apply(fast);
            HttpResponse<String> viaFramework = requests.get(i).apply(framework);
            String what = "request #" + i + " (fast path answered " + viaFast.statusCode() + ": " + viaFast.body() + ")";
            assertThat(viaFast.statusCode()).as(what).isEqualTo(viaFramework.statusCode());
            for (String header : List.of("content-type", "x-meridian-backend", "x-meridian-fallback-tier", "retry-after",
                    "www-authenticate", "cache-control", "content-encoding")) {
                assertThat(viaFast.headers().firstValue(header)).as(what + " header " + header)
                        .isEqualTo(viaFramework.headers().firstValue(header));
            }
            assertThat(viaFast.headers().firstValue("x-request-id")).as(what).isPresent();
            assertThat(normalized(viaFast.body())).as(what).isEqualTo(normalized(viaFramework.body()));
        }
    }

    /** Ids and timestamps differ between any two answers; everything else must not. */
    private static String normalized(String body) {
        return body.replaceAll("chatcmpl-[A-Za-z0-9]+", "chatcmpl-X").replaceAll("\"created\":\\d+", "\"created\":0");
    }

    @Test
    void aClientChosenRequestIdIsKept() {
        HttpResponse<String> response = fast.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "x-request-id", "my-id-42");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-request-id")).contains("my-id-42");
        assertThat(response.headers().firstValue("date")).isPresent();
    }

    @Test
    void aLargeBodyArrivesWholeInManyReads() {
        String content = "0123456789abcdef".repeat(20_000) + "END";
        HttpResponse<String> response = fast.post("/v1/chat/completions",
                "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(upstream.requests()).hasSize(1);
        assertThat(upstream.requests().get(0).body()).contains(content);
    }

    @Test
    void bigAnswersAreGzippedForClientsThatAcceptIt() throws IOException {
        upstream.byDefault(UpstreamBehavior.answer(LONG_ANSWER));
        for (TestGateway gateway : List.of(fast, framework)) {
            HttpResponse<byte[]> response = sendBytes(gateway, "gzip, deflate");
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-encoding")).contains("gzip");
            String json = new String(new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json).contains(LONG_ANSWER.trim());
            // Codings other than gzip are the framework's to choose: both paths give the same one.
            for (String acceptEncoding : List.of("deflate", "gzip, deflate, br", "*")) {
                assertThat(sendBytes(gateway, acceptEncoding).headers().firstValue("content-encoding")).as(acceptEncoding)
                        .isEqualTo(sendBytes(framework, acceptEncoding).headers().firstValue("content-encoding"));
            }
            HttpResponse<byte[]> refused = sendBytes(gateway, "gzip;q=0, identity");
            assertThat(refused.headers().firstValue("content-encoding")).isEmpty();
            assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains(LONG_ANSWER.trim());
        }
    }

    private static HttpResponse<byte[]> sendBytes(TestGateway gateway, String acceptEncoding) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(java.net.URI.create(gateway.url() + "/v1/chat/completions"))
                    .header("authorization", "Bearer " + TestGateway.KEY).header("accept-encoding", acceptEncoding)
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.chatBody("chat", false))).build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
        String chat = TestGateway.chatBody("chat", false);
        String stream = TestGateway.chatBody("chat", true);
        String requests = post(TestGateway.chatBody("slow", false), "a", "") + get("/v1/models") + post(stream, "b", "") + get("/v1/models/chat")
                + post("{oops", "c", "") + post(chat, "d", "") + chunkedPost(chat, "e", "") + post(chat, "f", "");
        try (Socket socket = open(fast)) {
            socket.getOutputStream().write(requests.getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertChat(RawResponse.read(in), "a", 200, "Slow one");
            assertThat(RawResponse.read(in).body).contains("\"object\":\"list\"");
            RawResponse streamed = RawResponse.read(in);
            assertChat(streamed, "b", 200, "data: [DONE]");
            assertThat(streamed.headers.get("content-type")).isEqualTo("text/event-stream");
            assertThat(RawResponse.read(in).body).contains("\"id\":\"chat\"");
            assertChat(RawResponse.read(in), "c", 400, "invalid_json");
            assertChat(RawResponse.read(in), "d", 200, "Hello there");
            assertChat(RawResponse.read(in), "e", 200, "Hello there");
            assertChat(RawResponse.read(in), "f", 200, "Hello there");
        }
    }

    @Test
    void pipelinedChatRequestsWaitForTheAnswerAheadOfThem() throws Exception {
        String chat = TestGateway.chatBody("chat", false);
        try (Socket socket = open(fast)) {
            socket.getOutputStream().write((post(TestGateway.chatBody("slow", false), "a", "") + post(chat, "b", "") + post(TestGateway.chatBody("chat", true), "c", ""))
                    .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertChat(RawResponse.read(in), "a", 200, "Slow one");
            assertChat(RawResponse.read(in), "b", 200, "Hello there");
            assertChat(RawResponse.read(in), "c", 200, "data: [DONE]");
            // The connection stays usable: one more request after the pipelined ones.
            socket.getOutputStream().write(post(chat, "d", "").getBytes(StandardCharsets.UTF_8));
            assertChat(RawResponse.read(in), "d", 200, "Hello there");
        }
    }

    @Test
    void aChatRequestBehindOneTheFrameworkAnswersWaitsForIt() throws Exception {
        String chat = TestGateway.chatBody("chat", false);
        try (Socket socket = open(fast)) {
            socket.getOutputStream().write((chunkedPost(TestGateway.chatBody("slow", false), "a", "") + post(chat, "b", "")).getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertChat(RawResponse.read(in), "a", 200, "Slow one");
            assertChat(RawResponse.read(in), "b", 200, "Hello there");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (Socket socket = open(fast)) {
            OutputStream out = socket.getOutputStream();
            out.write((post(TestGateway.chatBody("chat", false), "z", "Connection: close\r\n")
                    + post(TestGateway.chatBody("chat", false), "never", "")).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            RawResponse response = RawResponse.read(in);
            assertChat(response, "z", 200, "Hello there");
            assertThat(response.headers.get("connection")).isEqualToIgnoringCase("close");
            assertThat(in.read()).as("the connection is closed after the answer").isEqualTo(-1);
        }
        assertThat(upstream.requests()).hasSize(1);
    }

    private static void assertChat(RawResponse response, String requestId, int status, String bodyContains) {
        assertThat(response.status).as(response.body).isEqualTo(status);
        assertThat(response.headers.get("x-request-id")).isEqualTo(requestId);
        assertThat(response.body).contains(bodyContains);
    }

    private static Socket open(TestGateway gateway) throws IOException {
        Socket socket = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY + "\r\n\r\n";
    }

    private static String post(String body, String requestId, String extraHeaders) {
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                + "\r\nx-request-id: " + requestId + "\r\n" + extraHeaders + "Content-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String chunkedPost(String body, String requestId, String extraHeaders) {
        int half = body.length() / 2;
        return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                + "\r\nx-request-id: " + requestId + "\r\n" + extraHeaders + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(half) + "\r\n" + body.substring(0, half) + "\r\n"
                + Integer.toHexString(body.length() - half) + "\r\n" + body.substring(half) + "\r\n0\r\n\r\n";
    }

    /** One HTTP/1.1 response read off a raw connection: fixed-length or chunked body. */
    private record RawResponse(int status, Map<String, String> headers, String body) {
        static RawResponse read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                    body.write(in.readNBytes(size));
                    line(in);
                }
                line(in);
            } else {
                body.write(in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0"))));
            }
            return new RawResponse(status, headers, body.toString(StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed mid-response after: " + line);
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
