package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Drill: the PostgreSQL server behind the gateway crashes and comes back while clients keep writing to
 * their conversations. While it is down clients get clear 503s with Retry-After (never a 500, never a
 * hang); when it is back the gateway recovers by itself; every turn a client was told succeeded is stored.
 */
class DatabaseRestartDrillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 6;
    /**
     * HikariCP refills the pool in the background with a growing backoff, so recovery takes a few seconds
     * (measured 0.8 to 4.6 s here); the bound leaves room for a loaded CI machine.
     */
    private static final int RECOVERY_SECONDS = 10;

    private record Outcome(long atNanos, int status, String code, String retryAfter) {
    }

    @Test
    void theDatabaseRestartedUnderLoadGivesClear503sRecoversAndLosesNoAcknowledgedTurn() throws Exception {
        try (PostgresServer postgres = PostgresServer.start();
             FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.byDefault(UpstreamBehavior.answer("noted"));
            Map<String, Object> root = Map.of(
                    "meridian", Map.of("master-key", TestGateway.KEY,
                            "backends", Map.of("up", TestGateway.openAiBackend(upstream.baseUrl(), Map.of())),
                            "models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("up", "m")))),
                            "conversations", Map.of("query-timeout", "2s", "retry-after", "1s")),
                    "datasources", Map.of("default", Map.of("url", postgres.jdbcUrl(), "connection-timeout", 1000,
                            "validation-timeout", 500, "maximum-pool-size", 4)));
            try (TestGateway gateway = TestGateway.startRaw(root)) {
                List<String> conversations = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    HttpResponse<String> created = gateway.post("/v1/chat/completions", body("new", "start " + i, false));
                    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                    conversations.add(JSON.readTree(created.body()).get("conversation_id").asText());
                }

                Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
                ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                List<Future<?>> loops = new ArrayList<>();
                long drillStart = System.nanoTime();
                for (int c = 0; c < CLIENTS; c++) {
                    String conversation = conversations.get(c);
                    int client = c;
                    acknowledged.put(conversation, ConcurrentHashMap.newKeySet());
                    loops.add(clients.submit(() -> {
                        for (int n = 0; running.get() && n < 10_000; n++) {
                            String question = "client " + client + " message " + n;
                            boolean stream = n % 3 == 2;
                            sent.incrementAndGet();
                            HttpResponse<String> response = gateway.post("/v1/chat/completions", body(conversation, question, stream));
                            boolean ok = response.statusCode() == 200 && (!stream || (response.body().endsWith("data: [DONE]\n\n")
                                    && !response.body().contains("\"error\"")));
                            if (ok) {
                                acknowledged.get(conversation).add(question);
                            }
                            outcomes.add(new Outcome(System.nanoTime(), response.statusCode(), errorCode(response),
                                    response.headers().firstValue("retry-after").orElse(null)));
                            if (!ok) {
                                sleep(50);
                            }
                        }
                        return null;
                    }));
                }
                sleep(2_000);
                long downAt = System.nanoTime();
                postgres.stopImmediately();
                sleep(4_000);
                long restartAt = System.nanoTime();
                postgres.startServer();
                long upAt = System.nanoTime();
                sleep(13_000);
                running.set(false);
                for (Future<?> loop : loops) {
                    loop.get(60, TimeUnit.SECONDS);
                }
                clients.shutdownNow();

                List<Outcome> all = new ArrayList<>(outcomes);
                long unavailable = all.stream().filter(o -> o.status() == 503).count();
                assertThat(all).as("only successes and clear 503s").allSatisfy(o -> assertThat(o.status()).isIn(200, 503));
                assertThat(all.stream().filter(o -> o.status() == 503))
                        .allSatisfy(o -> {
                            assertThat(o.code()).isEqualTo("service_unavailable");
                            assertThat(o.retryAfter()).isEqualTo("1");
                        });
                assertThat(unavailable).as("the outage was noticed").isPositive();
                long firstSuccessAfterRestart = all.stream().filter(o -> o.status() == 200 && o.atNanos() > upAt)
                        .mapToLong(Outcome::atNanos).min().orElseThrow(() -> new AssertionError("never recovered"));
                long lastFailure = all.stream().filter(o -> o.status() != 200).mapToLong(Outcome::atNanos).max().orElse(upAt);
                int acknowledgedCount = 0;
                int found = 0;
                for (String conversation : conversations) {
                    JsonNode transcript = JSON.readTree(gateway.get("/v1/conversations/" + conversation).body());
                    Set<String> stored = new HashSet<>(transcript.get("turns").findValuesAsText("content"));
                    for (String question : acknowledged.get(conversation)) {
                        acknowledgedCount++;
                        if (stored.contains(question)) {
                            found++;
                        }
                    }
                }
                System.out.printf("DRILL database-restart: requests=%d acknowledged=%d found-after=%d 503s=%d down-for-ms=%d "
                                + "recovered-ms-after-db-up=%d last-failure-ms-after-db-up=%d drill-ms=%d%n",
                        sent.get(), acknowledgedCount, found, unavailable, (restartAt - downAt) / 1_000_000,
                        (firstSuccessAfterRestart - upAt) / 1_000_000, (lastFailure - upAt) / 1_000_000,
                        (System.nanoTime() - drillStart) / 1_000_000);
                assertThat(all.stream().filter(o -> o.atNanos() > upAt + TimeUnit.SECONDS.toNanos(RECOVERY_SECONDS)))
                        .as("fully recovered within %d s of the database being back", RECOVERY_SECONDS).isNotEmpty()
                        .allSatisfy(o -> assertThat(o.status()).isEqualTo(200));

                assertThat(found).as("every acknowledged turn is stored").isEqualTo(acknowledgedCount);
                assertThat(acknowledgedCount).isPositive();
            }
        }
    }

    private static String body(String conversation, String question, boolean stream) {
        return "{\"model\":\"chat\",\"stream\":" + stream + ",\"conversation_id\":\"" + conversation
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    private static String errorCode(HttpResponse<String> response) {
        if (response.statusCode() == 200) {
            return null;
        }
        try {
            return JSON.readTree(response.body()).get("error").get("code").asText();
        } catch (Exception e) {
            return "unparseable: " + response.body();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
