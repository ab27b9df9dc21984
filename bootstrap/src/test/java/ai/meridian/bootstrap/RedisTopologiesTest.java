package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisCluster;
import ai.meridian.testkit.RedisSentinel;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shared limits through the other Redis topologies, configured as a user would: a {@code redis-sentinel://} URL
 * ({@code meridian.redis.url}) and a Redis Cluster's seed nodes ({@code meridian.redis.cluster-urls}), each on real
 * redis-server processes. A key's requests per minute and its token budget are counted there.
 */
class RedisTopologiesTest {
    private static FakeOpenAiUpstream upstream;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("ok"));
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    private static TestGateway gateway(Map<String, Object> redis) {
        return TestGateway.start(Map.of(
                "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                "limits", Map.of("store", "redis"),
                "redis", redis));
    }

    private static void limitsHoldIn(TestGateway gateway, String where) {
        assertThat(Admin.json(gateway.get("/health/ready")).at("/components/rate_limits/detail").asText()).contains("shared in Redis", where);
        Admin admin = new Admin(gateway);
        String[] key = admin.key("default", "\"limits\":{\"requests_per_minute\":3,\"daily_token_budget\":1000}");
        int admitted = 0;
        for (int i = 0; i < 5; i++) {
            admitted += gateway.post("/v1/chat/completions", TestGateway.chatBody("chat", false), "authorization", Admin.bearer(key[1]))
                    .statusCode() == 200 ? 1 : 0;
        }
        assertThat(admitted).isEqualTo(3);
        assertThat(Admin.json(gateway.get("/health/ready")).at("/components/rate_limits/status").asText()).as("never degraded").isEqualTo("up");
    }

    @Test
    void limitsAreCountedThroughASentinelUrl() throws Exception {
        try (RedisServer master = RedisServer.start(); RedisSentinel sentinel = RedisSentinel.watching(master)) {
            try (TestGateway gateway = gateway(Map.of("url", sentinel.url(), "key-prefix", "sentinel-gateway:"))) {
                limitsHoldIn(gateway, "redis-sentinel://");
            }
        }
    }

    @Test
    void limitsAreCountedInARedisCluster() throws Exception {
        try (RedisCluster cluster = RedisCluster.start()) {
            try (TestGateway gateway = gateway(Map.of("cluster-urls", cluster.urls(), "key-prefix", "cluster-gateway:"))) {
                limitsHoldIn(gateway, cluster.urls().get(0).substring("redis://".length()));
            }
        }
    }
}
