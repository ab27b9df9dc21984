package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-replica drill: two gateway jars as separate processes, sharing one real redis-server and the CI PostgreSQL.
 * A limit of N per minute admits N requests in total across both; a key revoked on one replica is refused by the other
 * within 2 s; with Redis killed mid-load both keep serving (on local limits) and no request fails; with Redis back the
 * limits are global again.
 */
class MultiReplicaDrillIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER = "sk-drill-master";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> send(GatewayProcess gateway, String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + key).header("content-type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(GatewayProcess gateway, String key) throws Exception {
        return send(gateway, "POST", "/v1/chat/completions", "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", key);
    }

    private String[] key(GatewayProcess gateway, String tenant, String limits) throws Exception {
        HttpResponse<String> created = send(gateway, "POST", "/v1/admin/keys", "{\"tenant\":\"" + tenant + "\""
                + (limits == null ? "" : ",\"limits\":" + limits) + "}", MASTER);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode json = JSON.readTree(created.body());
        return new String[] {json.get("id").asText(), json.get("secret").asText()};
    }

    /** Waits until {@code replica} knows the key (its admin read refreshes its directory), without spending a request on it. */
    private void known(GatewayProcess replica, String id) throws Exception {
        assertThat(send(replica, "GET", "/v1/admin/keys/" + id, null, MASTER).statusCode()).isEqualTo(200);
    }

    private String rateLimits(GatewayProcess gateway) throws Exception {
        HttpResponse<String> ready = send(gateway, "GET", "/health/ready", null, MASTER);
        return JSON.readTree(ready.body()).get("components").get("rate_limits").get("status").asText();
    }

    private void awaitRateLimits(GatewayProcess gateway, String status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!rateLimits(gateway).equals(status) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(rateLimits(gateway)).isEqualTo(status);
    }

    /** Sends {@code total} requests spread over both replicas from {@code threads} clients; answers the count of 200s, and fails on any 5xx. */
    private int burst(List<GatewayProcess> replicas, String key, int total, int threads) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            loops.add(clients.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < total) {
                    HttpResponse<String> response = chat(replicas.get(i % replicas.size()), key);
                    if (response.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else if (response.statusCode() != 429) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get(120, TimeUnit.SECONDS);
        }
        clients.shutdownNow();
        assertThat(failures).as("answers that were neither 200 nor 429").isEmpty();
        return ok.get();
    }

    @Test
    void twoReplicasShareLimitsRevocationsAndSurviveARedisOutage(@TempDir Path dir) throws Exception {
        String url = System.getenv("MERIDIAN_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_POSTGRES_REQUIRED"))) {
                throw new IllegalStateException("MERIDIAN_TEST_POSTGRES_REQUIRED=true but MERIDIAN_TEST_POSTGRES_URL is not set");
            }
            Assumptions.abort("the multi-replica drill needs a shared database: set MERIDIAN_TEST_POSTGRES_URL");
        }
        try (RedisServer redis = RedisServer.start(); FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.byDefault(UpstreamBehavior.answer("ok"));
            String config = String.join("\n",
                    "meridian:",
                    "  master-key: " + MASTER,
                    "  backends:",
                    "    up: {type: openai, base-url: \"" + upstream.baseUrl() + "\"}",
                    "  models:",
                    "    - id: chat",
                    "      routes: [{backend: up, model: m}]",
                    "  limits: {store: redis, probe-interval: 200ms}",
                    "  redis: {url: \"" + redis.url() + "\", key-prefix: \"drill" + System.nanoTime() + ":\"}",
                    "");
            // Each replica has a working directory (and so a local knowledge index) of its own; they share Redis and PostgreSQL.
            Path dirA = Files.createDirectories(dir.resolve("a"));
            Path dirB = Files.createDirectories(dir.resolve("b"));
            Files.writeString(dirA.resolve("meridian.yml"), config);
            Files.writeString(dirB.resolve("meridian.yml"), config);
            Map<String, String> env = Map.of("DATASOURCES_DEFAULT_URL", url);
            String tenant = "drill" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
            try (GatewayProcess a = GatewayProcess.start(dirA, env)) {
                assertThat(a.awaitStarted(Duration.ofSeconds(90))).as(a.log()).isTrue();
                try (GatewayProcess b = GatewayProcess.start(dirB, env)) {
                    assertThat(b.awaitStarted(Duration.ofSeconds(90))).as(b.log()).isTrue();
                    List<GatewayProcess> both = List.of(a, b);
                    assertThat(send(a, "POST", "/v1/admin/tenants", "{\"id\":\"" + tenant + "\"}", MASTER).statusCode()).isEqualTo(201);

                    // 1. A limit of N per minute admits N requests in total across both replicas.
                    int n = 200;
                    String[] limited = key(a, tenant, "{\"requests_per_minute\":" + n + "}");
                    known(b, limited[0]);
                    int admitted = burst(both, limited[1], 2 * n, 16);
                    System.out.printf("DRILL global limit: limit=%d sent=%d admitted=%d%n", n, 2 * n, admitted);
                    assertThat(admitted).isBetween(n - n / 100, n + n / 100);

                    // 2. Revoked on A, refused on B within 2 s (B only polls; nothing tells it directly).
                    String[] revocable = key(a, tenant, null);
                    known(b, revocable[0]);
                    assertThat(chat(b, revocable[1]).statusCode()).isEqualTo(200);
                    assertThat(send(a, "POST", "/v1/admin/keys/" + revocable[0] + "/revoke", null, MASTER).statusCode()).isEqualTo(200);
                    long revokedAt = System.nanoTime();
                    long refusedAfter = -1;
                    while (System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(5)) {
                        if (chat(b, revocable[1]).statusCode() == 401) {
                            refusedAfter = (System.nanoTime() - revokedAt) / 1_000_000;
                            break;
                        }
                        Thread.sleep(20);
                    }
                    System.out.printf("DRILL revocation: refused by the other replica after %d ms%n", refusedAfter);
                    assertThat(refusedAfter).isBetween(0L, 2000L);

                    // 3. Redis killed in the middle of load: both keep serving on local limits, none fails.
                    String[] busy = key(a, tenant, "{\"requests_per_minute\":100000}");
                    known(b, busy[0]);
                    AtomicBoolean killed = new AtomicBoolean();
                    ExecutorService killer = Executors.newSingleThreadExecutor();
                    Future<?> kill = killer.submit(() -> {
                        Thread.sleep(300);
                        redis.kill();
                        killed.set(true);
                        return null;
                    });
                    int served = burst(both, busy[1], 600, 8);
                    kill.get(10, TimeUnit.SECONDS);
                    killer.shutdownNow();
                    assertThat(killed).isTrue();
                    int afterKill = burst(both, busy[1], 100, 4);
                    System.out.printf("DRILL redis killed: served=%d of 600 during the kill, %d of 100 after it%n", served, afterKill);
                    assertThat(served).isEqualTo(600);
                    assertThat(afterKill).isEqualTo(100);
                    assertThat(rateLimits(a)).isEqualTo("degraded");
                    assertThat(rateLimits(b)).isEqualTo("degraded");

                    // 4. Redis back: both go back to it by themselves, and a limit is global again.
                    redis.startAgain();
                    awaitRateLimits(a, "up");
                    awaitRateLimits(b, "up");
                    int m = 50;
                    String[] again = key(a, tenant, "{\"requests_per_minute\":" + m + "}");
                    known(b, again[0]);
                    int admittedAgain = burst(both, again[1], 2 * m, 8);
                    System.out.printf("DRILL redis back: limit=%d sent=%d admitted=%d%n", m, 2 * m, admittedAgain);
                    assertThat(admittedAgain).isEqualTo(m);
                    assertThat(a.log()).contains("shared rate limits unavailable", "shared rate limits are back");
                }
            }
        }
    }
}
