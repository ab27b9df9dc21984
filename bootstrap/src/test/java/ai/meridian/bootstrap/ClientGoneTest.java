package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.adapter.out.triton.FakeTritonServer;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that leaves a stream it cannot resume (resume window 0) has its upstream call cancelled at once, over HTTP
 * and over gRPC; the time from the client's reset to the upstream noticing is measured, and nothing stays open.
 */
class ClientGoneTest {
    private static FakeOpenAiUpstream openai;
    private static FakeTritonServer triton;
    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() {
        openai = FakeOpenAiUpstream.start();
        triton = FakeTritonServer.startSlow("vllm", 500, Duration.ofMillis(20));
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("http", TestGateway.openAiBackend(openai.baseUrl(), Map.of("total-timeout", "60s")));
        backends.put("grpc", Map.of("type", "triton", "endpoints", List.of(triton.endpoint()), "model", triton.model(),
                "convention", "vllm", "chat-template", "chatml", "total-timeout", "60s"));
        gateway = TestGateway.start(Map.of("backends", backends,
                "streams", Map.of("resume-window", "0s"),
                "models", List.of(
                        Map.of("id", "over-http", "routes", List.of(TestGateway.route("http", "m")), "retry", TestGateway.fastRetry(1)),
                        Map.of("id", "over-grpc", "routes", List.of(TestGateway.route("grpc", triton.model())), "retry", TestGateway.fastRetry(1)))));
        port = Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        openai.close();
        triton.close();
    }

    private static String body(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":1000,\"messages\":[{\"role\":\"user\",\"content\":\"Go\"}]}";
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    @Test
    void anHttpUpstreamCallIsClosedSoonAfterTheClientLeaves() throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String[] words = new String[500];
            java.util.Arrays.fill(words, "w ");
            openai.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(20)));
            int before = openai.clientDisconnects();
            long left;
            try (RawSse client = RawSse.open("127.0.0.1", port, "POST", "/v1/chat/completions", body("over-http"),
                    "Authorization", "Bearer " + TestGateway.KEY)) {
                client.next();
                client.next();
                left = System.nanoTime();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (openai.clientDisconnects() == before && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(openai.clientDisconnects()).isEqualTo(before + 1);
            micros.add((openai.lastClientDisconnectNanos() - left) / 1_000);
        }
        assertThat(openai.streamsInProgress()).as("no upstream stream left open").isZero();
        System.out.printf("client gone -> HTTP upstream call closed: median %d µs, max %d µs (the fake notices within 10 ms)%n",
                median(micros), micros.stream().mapToLong(Long::longValue).max().orElse(0));
        assertThat(median(micros)).isLessThan(500_000);
    }

    @Test
    void aGrpcUpstreamCallIsCancelledSoonAfterTheClientLeaves() throws Exception {
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int before = triton.abandonedCalls();
            long left;
            try (RawSse client = RawSse.open("127.0.0.1", port, "POST", "/v1/chat/completions", body("over-grpc"),
                    "Authorization", "Bearer " + TestGateway.KEY)) {
                client.next();
                client.next();
                left = System.nanoTime();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (triton.abandonedCalls() == before && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(triton.abandonedCalls()).isEqualTo(before + 1);
            micros.add((triton.lastAbandonedNanos() - left) / 1_000);
        }
        System.out.printf("client gone -> gRPC upstream call cancelled: median %d µs, max %d µs%n",
                median(micros), micros.stream().mapToLong(Long::longValue).max().orElse(0));
        assertThat(median(micros)).isLessThan(500_000);
    }
}
