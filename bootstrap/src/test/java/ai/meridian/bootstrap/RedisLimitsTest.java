package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Limits shared in a real redis-server ({@code meridian.limits.store: redis}): counted there, and when Redis dies the
 * gateway keeps answering on local limits, says so in readiness and in a metric, and goes back to Redis by itself.
 */
class RedisLimitsTest {
    private static RedisServer redis;
    private static FakeOpenAiUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
        gateway = TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "limits", Map.of("store", "redis", "probe-interval", "200ms"),
                "redis", Map.of("url", redis.url(), "key-prefix", "limits-test:")));
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
        upstream.close();
        redis.close();
    }

    private static HttpResponse<String> chat(String secret) {
        return gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", "Bearer " + secret);
    }

    private static JsonNode limits() {
        return Admin.json(gateway.get("/health/ready")).get("components").get("rate_limits");
    }

    private static void await(String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!limits().get("status").asText().equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(limits().get("status").asText()).isEqualTo(status);
    }

    @Test
    void limitsAreCountedInRedisAndAnOutageDegradesToLocalLimitsUntilItIsBack() throws Exception {
        Admin admin = new Admin(gateway);
        String[] key = admin.key("default", "\"limits\":{\"requests_per_minute\":5}");
        assertThat(limits().get("status").asText()).isEqualTo("up");
        int ok = 0;
        for (int i = 0; i < 8; i++) {
            ok += chat(key[1]).statusCode() == 200 ? 1 : 0;
        }
        assertThat(ok).isEqualTo(5);
        assertThat(gateway.get("/metrics").body()).contains("meridian_rate_limits_shared 1.0");

        redis.kill();
        try {
            String[] busy = admin.key("default", "\"limits\":{\"requests_per_minute\":1000}");
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> answered = chat(busy[1]);
                assertThat(answered.statusCode()).as("served on local limits: %s", answered.body()).isEqualTo(200);
            }
            assertThat(limits().get("status").asText()).isEqualTo("degraded");
            assertThat(limits().get("detail").asText()).contains("each replica enforces limits on its own");
            assertThat(gateway.get("/health/ready").statusCode()).as("degraded is still ready").isEqualTo(200);
            assertThat(gateway.get("/metrics").body()).contains("meridian_rate_limits_shared 0.0");
        } finally {
            redis.startAgain();
        }
        await("up");
        String[] fresh = admin.key("default", "\"limits\":{\"requests_per_minute\":3}");
        int admitted = 0;
        for (int i = 0; i < 6; i++) {
            admitted += chat(fresh[1]).statusCode() == 200 ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(3);
    }
}
