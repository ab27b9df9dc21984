package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import ai.meridian.testkit.fuzz.HostileFuzzer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile fuzz harness ({@code testkit/.../fuzz}) in CI: a short pass with fixed seeds against the
 * gateway in-process, over raw sockets. Not one answer may be a 5xx, and none may hang; afterwards the
 * gateway still answers. Long runs against the built jar: {@code bench/hostile-fuzz.sh} (docs/operations.md).
 */
class HostileFuzzTest {
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("fine", " thanks"));
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")))));
        // Short deadlines, so that requests cut off on purpose are answered (408) within the pass.
        meridian.put("http", Map.of("request-header-timeout", "2s", "request-body-timeout", "2s"));
        meridian.put("ingestion", Map.of("max-jobs", 64));
        gateway = TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    private static HostileFuzzer fuzzer() {
        return new HostileFuzzer(gateway.url(), TestGateway.KEY, Duration.ofSeconds(20));
    }

    @Test
    void aFixedSeedPassGetsNo5xxAndNoHang() throws Exception {
        HostileFuzzer.Report report = fuzzer().run(20261127, 1200, 6, "chat", "bge-small-zh-v1.5");
        System.out.println("FUZZ all kinds: " + report);
        assertThat(report.failures()).as(report.toString()).isEmpty();
        assertThat(report.count("400")).as("most hostile requests are refused as malformed").isGreaterThan(300);
        assertThat(gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false)).statusCode()).isEqualTo(200);
    }

    @Test
    void theMultipartAndDecompressionPathsGetNo5xxAndNoHang() throws Exception {
        HostileFuzzer.Report report = fuzzer().run(7, 600, 6, "chat", "bge-small-zh-v1.5",
                kind -> kind.startsWith("multipart") || kind.startsWith("compressed"));
        System.out.println("FUZZ multipart and compressed bodies: " + report);
        assertThat(report.failures()).as(report.toString()).isEmpty();
        assertThat(report.requests()).isEqualTo(600);
        assertThat(gateway.get("/v1/knowledge_bases").statusCode()).isEqualTo(200);
    }
}
