package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The response cache's second level in a real redis-server ({@code meridian.cache.store: redis}), shared by two
 * gateways: an answer one replica made is a hit ({@code l2}) on the other; a purge on one is seen by both; when Redis
 * dies no request fails (answers are cached in each process, readiness says "degraded"), and when it is back the
 * replicas share again by themselves.
 */
class SharedResponseCacheTest {
    private static final AtomicInteger QUESTIONS = new AtomicInteger();
    private static RedisServer redis;
    private static FakeOpenAiUpstream upstream;
    private static TestGateway one;
    private static TestGateway two;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisServer.start();
        upstream = FakeOpenAiUpstream.start();
        upstream.byDefault(UpstreamBehavior.answer("Shared", " answer."));
        one = gateway();
        two = gateway();
    }

    private static TestGateway gateway() {
        Map<String, Object> meridian = new LinkedHashMap<>();
        meridian.put("backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())));
        meridian.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))));
        meridian.put("cache", Map.of("store", "redis", "probe-interval", "200ms", "redis-timeout", "300ms"));
        meridian.put("redis", Map.of("url", redis.url(), "key-prefix", "cache-test:", "command-timeout", "300ms", "connect-timeout", "300ms"));
        return TestGateway.start(meridian);
    }

    @AfterAll
    static void stop() throws Exception {
        one.close();
        two.close();
        upstream.close();
        redis.close();
    }

    private static String body(String question) {
        return "{\"model\":\"chat\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static String question() {
        return "Shared question " + QUESTIONS.incrementAndGet() + "?";
    }

    private static HttpResponse<String> chat(TestGateway on, String body) {
        HttpResponse<String> response = on.post("/v1/chat/completions", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response;
    }

    private static String cache(HttpResponse<String> response) {
        String outcome = response.headers().firstValue("x-meridian-cache").orElse("");
        return outcome.equals("hit") ? "hit " + response.headers().firstValue("x-meridian-cache-level").orElse("") : outcome;
    }

    private static JsonNode component(TestGateway on) {
        return Admin.json(on.get("/health/ready")).get("components").get("response_cache");
    }

    private static void await(TestGateway on, String status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!component(on).get("status").asText().equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(component(on).get("status").asText()).isEqualTo(status);
    }

    /** Repeats until the answer is the expected one (another replica's broadcast arrives over pub/sub), at most 5 s. */
    private static String eventually(TestGateway on, String body, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String outcome = cache(chat(on, body));
        while (!outcome.equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            outcome = cache(chat(on, body));
        }
        return outcome;
    }

    @Test
    void anAnswerOneReplicaMadeIsAHitOnTheOtherAndAPurgeIsSeenByBoth() throws Exception {
        String body = body(question());
        int before = upstream.requests().size();
        assertThat(cache(chat(one, body))).isEqualTo("miss");
        HttpResponse<String> shared = chat(two, body);
        assertThat(cache(shared)).isEqualTo("hit l2");
        assertThat(Admin.json(shared).at("/choices/0/message/content").asText()).isEqualTo("Shared answer.");
        assertThat(cache(chat(two, body))).as("copied into the second replica's own level").isEqualTo("hit l1");
        assertThat(cache(chat(one, body))).isEqualTo("hit l1");
        assertThat(upstream.requests().size()).isEqualTo(before + 1);

        assertThat(two.post("/v1/admin/cache/purge", "{\"tenant\":\"default\"}").statusCode()).isEqualTo(200);
        assertThat(eventually(one, body, "miss")).as("the purge on replica two reaches replica one's first level").isEqualTo("miss");
        Thread.sleep(1_000); // replica one writes its new answer to Redis in the background, after answering
        assertThat(cache(chat(two, body))).isEqualTo("hit l2");

        // a purge by key removes the entry on both
        String key = chat(one, body).headers().firstValue("x-meridian-cache-key").orElseThrow();
        assertThat(Admin.json(one.post("/v1/admin/cache/purge", "{\"key\":\"" + key + "\"}")).get("found").asBoolean()).isTrue();
        assertThat(eventually(two, body, "miss")).isEqualTo("miss");

        JsonNode state = Admin.json(one.get("/v1/admin/cache"));
        assertThat(state.get("shared_level").asBoolean()).isTrue();
        assertThat(state.get("shared_up").asBoolean()).isTrue();
        assertThat(one.get("/metrics").body()).contains("meridian_cache_shared 1.0", "meridian_cache_written_bytes_total{level=\"l2\"}");
        assertThat(two.get("/metrics").body()).contains("meridian_cache_hits_total{level=\"l2\"}");
    }

    @Test
    void whenRedisDiesNoRequestFailsAndTheReplicasShareAgainWhenItIsBack() throws Exception {
        await(one, "up");
        redis.kill();
        try {
            String during = body(question());
            assertThat(cache(chat(one, during))).isEqualTo("miss");
            for (int i = 0; i < 10; i++) {
                assertThat(cache(chat(one, during))).isEqualTo("hit l1");
            }
            assertThat(cache(chat(two, during))).as("each replica caches on its own meanwhile").isEqualTo("miss");
            await(one, "degraded");
            assertThat(component(one).get("detail").asText()).contains("cached in this process only");
            assertThat(one.get("/health/ready").statusCode()).as("degraded is still ready").isEqualTo(200);
            assertThat(one.get("/metrics").body()).contains("meridian_cache_shared 0.0");
            JsonNode state = Admin.json(one.get("/v1/admin/cache"));
            assertThat(state.get("shared_up").asBoolean()).isFalse();
            assertThat(state.get("last_failure").asText()).isNotBlank();
            // a purge made while Redis is away is sent when it is back
            assertThat(one.post("/v1/admin/cache/purge", "{\"model\":\"chat\"}").statusCode()).isEqualTo(200);
            assertThat(cache(chat(one, during))).isEqualTo("miss");
        } finally {
            redis.startAgain();
        }
        await(one, "up");
        await(two, "up");
        String after = body(question());
        assertThat(cache(chat(one, after))).isEqualTo("miss");
        assertThat(cache(chat(two, after))).isEqualTo("hit l2");
    }
}
