package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar keeping conversations. The drill: the gateway, on its default H2 file database, is killed with
 * SIGKILL in the middle of a burst of concurrent conversation writes; after a restart on the same data
 * directory every turn a client was told succeeded is there, each question followed by its answer. And the
 * same jar stores conversations in PostgreSQL when the data source says so.
 */
class ConversationJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-drill";
    private static final int CLIENTS = 12;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> send(GatewayProcess gateway, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String conversation, String question, boolean stream) {
        return "{\"model\":\"chat\",\"stream\":" + stream + ",\"conversation_id\":\"" + conversation
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]}";
    }

    /** The shaded jar with PostgreSQL (its driver and Flyway's PostgreSQL support must survive shading). */
    @Test
    void theJarKeepsConversationsInPostgresqlWhenConfigured(@TempDir Path dir) throws Exception {
        String url = System.getenv("MERIDIAN_TEST_POSTGRES_URL");
        if (url == null || url.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_POSTGRES_REQUIRED"))) {
                throw new IllegalStateException("MERIDIAN_TEST_POSTGRES_REQUIRED=true but MERIDIAN_TEST_POSTGRES_URL is not set");
            }
            org.junit.jupiter.api.Assumptions.abort("set MERIDIAN_TEST_POSTGRES_URL to run the jar against PostgreSQL");
        }
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.byDefault(UpstreamBehavior.answer("stored in postgres"));
            writeConfig(dir, upstream);
            String id;
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of("DATASOURCES_DEFAULT_URL", url))) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
                HttpResponse<String> created = send(gateway, "POST", "/v1/chat/completions", chat("new", "where are you kept?", false));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                id = JSON.readTree(created.body()).get("conversation_id").asText();
            }
            // The data directory itself exists (the embedded knowledge index lives there); the H2 database must not.
            assertThat(Files.exists(dir.resolve("data").resolve("meridian.mv.db"))).as("no H2 file when PostgreSQL is configured").isFalse();
            try (GatewayProcess again = GatewayProcess.start(dir, Map.of("DATASOURCES_DEFAULT_URL", url))) {
                assertThat(again.awaitStarted(Duration.ofSeconds(60))).as(again.log()).isTrue();
                HttpResponse<String> read = send(again, "GET", "/v1/conversations/" + id, null);
                assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                assertThat(read.body()).contains("where are you kept?", "stored in postgres");
            }
        }
    }

    private static void writeConfig(Path dir, FakeOpenAiUpstream upstream) throws java.io.IOException {
        Files.writeString(dir.resolve("meridian.yml"), String.join("\n",
                "meridian:",
                "  master-key: " + KEY,
                "  backends:",
                "    up: {type: openai, base-url: \"" + upstream.baseUrl() + "\"}",
                "  models:",
                "    - id: chat",
                "      routes: [{backend: up, model: m}]",
                ""));
    }

    @Test
    void noAcknowledgedTurnIsLostWhenTheGatewayIsKilledMidBurst(@TempDir Path dir) throws Exception {
        try (FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start()) {
            upstream.byDefault(UpstreamBehavior.answer("ack"));
            writeConfig(dir, upstream);
            List<String> conversations = new ArrayList<>();
            Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger failedAfterKill = new AtomicInteger();
            try (GatewayProcess gateway = GatewayProcess.start(dir, Map.of())) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(60))).as(gateway.log()).isTrue();
                for (int i = 0; i < CLIENTS; i++) {
                    HttpResponse<String> created = send(gateway, "POST", "/v1/chat/completions", chat("new", "start " + i, false));
                    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
                    String id = JSON.readTree(created.body()).get("conversation_id").asText();
                    conversations.add(id);
                    acknowledged.put(id, ConcurrentHashMap.newKeySet());
                    acknowledged.get(id).add("start " + i);
                }
                AtomicBoolean killed = new AtomicBoolean();
                AtomicInteger acknowledgedCount = new AtomicInteger();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                List<Future<?>> loops = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    // Two clients share each conversation, so appends to one conversation race each other too.
                    String conversation = conversations.get(c / 2);
                    int client = c;
                    loops.add(clients.submit(() -> {
                        for (int n = 0; n < 100_000; n++) {
                            String question = "client " + client + " message " + n;
                            boolean stream = n % 2 == 1;
                            sent.incrementAndGet();
                            try {
                                HttpResponse<String> response = send(gateway, "POST", "/v1/chat/completions", chat(conversation, question, stream));
                                if (response.statusCode() == 200 && (!stream || response.body().endsWith("data: [DONE]\n\n"))) {
                                    acknowledged.get(conversation).add(question);
                                    acknowledgedCount.incrementAndGet();
                                }
                            } catch (Exception e) {
                                if (killed.get()) {
                                    failedAfterKill.incrementAndGet();
                                    return null;
                                }
                            }
                            if (killed.get()) {
                                return null;
                            }
                        }
                        return null;
                    }));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (acknowledgedCount.get() < 400 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                killed.set(true);
                gateway.killHard();
                for (Future<?> loop : loops) {
                    loop.get(60, TimeUnit.SECONDS);
                }
                clients.shutdownNow();
            }

            try (GatewayProcess restarted = GatewayProcess.start(dir, Map.of())) {
                assertThat(restarted.awaitStarted(Duration.ofSeconds(60))).as(restarted.log()).isTrue();
                int told = 0;
                int found = 0;
                int storedTurns = 0;
                List<String> missing = new ArrayList<>();
                for (String conversation : conversations) {
                    HttpResponse<String> read = send(restarted, "GET", "/v1/conversations/" + conversation, null);
                    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                    JsonNode turns = JSON.readTree(read.body()).get("turns");
                    storedTurns += turns.size();
                    List<String> contents = turns.findValuesAsText("content");
                    for (int i = 0; i < turns.size(); i++) {
                        assertThat(turns.get(i).get("seq").asInt()).as("no gaps in %s", conversation).isEqualTo(i + 1);
                        if (turns.get(i).get("role").asText().equals("user")) {
                            assertThat(turns.get(i + 1).get("role").asText()).as("an answer follows its question").isEqualTo("assistant");
                        }
                    }
                    for (String question : acknowledged.get(conversation)) {
                        told++;
                        if (contents.contains(question)) {
                            found++;
                        } else {
                            missing.add(conversation + ": " + question);
                        }
                    }
                }
                System.out.printf("DRILL kill-9: requests=%d acknowledged=%d found-after-restart=%d turns-stored=%d "
                        + "requests-cut-by-the-kill=%d%n", sent.get(), told, found, storedTurns, failedAfterKill.get());
                assertThat(missing).as("acknowledged turns lost").isEmpty();
                assertThat(told).isGreaterThanOrEqualTo(400);
            }
            assertThat(Files.exists(dir.resolve("data").resolve("meridian.mv.db"))).as("the default store is the H2 file").isTrue();
        }
    }
}
