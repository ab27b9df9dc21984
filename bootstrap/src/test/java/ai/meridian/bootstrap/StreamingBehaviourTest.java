package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.UpstreamBehavior;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Streams are forwarded as they arrive, and a client that leaves cancels the upstream call. */
class StreamingBehaviourTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(),
                        Map.of("first-token-timeout", "10s", "total-timeout", "30s"))),
                // A stream whose client left goes on for the resume window (30 s by default) before its upstream call is cancelled.
                "streams", Map.of("resume-window", "300ms"),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")),
                        "retry", Map.of("max-attempts", 1)))));
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

    private static Socket open() throws Exception {
        Socket socket = new Socket("127.0.0.1", Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1)));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void sendChat(Socket socket, boolean stream) throws Exception {
        byte[] body = TestGateway.chatBody("chat", stream).getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TestGateway.KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }

    @Test
    void theFirstTokenReachesTheClientLongBeforeTheUpstreamFinishes() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("first", " second").withPauseBeforeLast(Duration.ofMillis(1500)));
        try (Socket socket = open()) {
            long start = System.nanoTime();
            sendChat(socket, true);
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            long firstToken = 0;
            long done = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (firstToken == 0 && line.contains("\"content\":\"first\"")) {
                    firstToken = System.nanoTime();
                }
                if (line.equals("data: [DONE]")) {
                    done = System.nanoTime();
                    break;
                }
            }
            assertThat(firstToken).isPositive();
            assertThat(Duration.ofNanos(firstToken - start)).as("first token is not held back").isLessThan(Duration.ofMillis(700));
            assertThat(Duration.ofNanos(done - firstToken)).isGreaterThan(Duration.ofMillis(1200));
        }
    }

    @Test
    void aClientLeavingAStreamCancelsTheUpstreamCallOnceTheResumeWindowIsOver() throws Exception {
        upstream.enqueue(UpstreamBehavior.answer("first", " never").withPauseBeforeLast(Duration.ofSeconds(20)));
        try (Socket socket = open()) {
            sendChat(socket, true);
            BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null && !line.contains("\"first\""); line = reader.readLine()) {
                // read up to the first token
            }
        }
        ModelBackendContract.awaitTrue(() -> upstream.clientDisconnects() >= 1, Duration.ofSeconds(5));
    }

    @Test
    void aClientLeavingBeforeTheFirstTokenCancelsTheUpstreamCall() throws Exception {
        upstream.enqueue(UpstreamBehavior.hangs());
        try (Socket socket = open()) {
            sendChat(socket, true);
            ModelBackendContract.awaitTrue(() -> !upstream.requests().isEmpty(), Duration.ofSeconds(5));
        }
        ModelBackendContract.awaitTrue(() -> upstream.clientDisconnects() >= 1, Duration.ofSeconds(5));
    }

    @Test
    void aClientLeavingAWholeRequestCancelsTheUpstreamCall() throws Exception {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> errors = new ListAppender<>();
        errors.start();
        root.addAppender(errors);
        try {
            upstream.enqueue(UpstreamBehavior.hangs());
            try (Socket socket = open()) {
                sendChat(socket, false);
                ModelBackendContract.awaitTrue(() -> !upstream.requests().isEmpty(), Duration.ofSeconds(5));
            }
            ModelBackendContract.awaitTrue(() -> upstream.clientDisconnects() >= 1, Duration.ofSeconds(5));
            Thread.sleep(200);
            // A client that leaves is not a server failure: nothing is logged as an error for it.
            assertThat(errors.list).filteredOn(e -> e.getLevel() == Level.ERROR).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            root.detachAppender(errors);
        }
    }
}
