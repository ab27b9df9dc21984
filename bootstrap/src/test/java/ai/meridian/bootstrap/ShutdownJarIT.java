package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar stopped with SIGTERM in the middle of ingestion, twenty times on the same data directory, at
 * different moments (while the document is chunked, while its chunks are embedded). Each time the process
 * must exit with 143 (a clean shutdown after SIGTERM), never abort (134, the native tokenizer released under
 * a caller) or leave a JVM crash report; and each time the job it interrupted must be found recorded as
 * interrupted, with the reason, by the next start, never left {@code running}.
 */
class ShutdownJarIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-shutdown";
    private static final int ROUNDS = 20;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> send(GatewayProcess gateway, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void sigtermDuringIngestionNeverCrashesAndLeavesNoJobRunning(@TempDir Path dir) throws Exception {
        Map<String, String> env = Map.of("MERIDIAN_MASTER_KEY", KEY, "MERIDIAN_SHUTDOWN_DRAIN_TIME", "1s");
        SplittableRandom random = new SplittableRandom(9);
        List<String> jobs = new ArrayList<>();
        List<Integer> exits = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            try (GatewayProcess gateway = GatewayProcess.start(dir, env)) {
                assertThat(gateway.awaitStarted(Duration.ofSeconds(90))).as(gateway.log()).isTrue();
                if (round == 0) {
                    assertThat(send(gateway, "POST", "/v1/knowledge_bases", "{\"name\":\"minutes\"}").statusCode()).isEqualTo(201);
                } else {
                    // What the round before interrupted is recorded as such, not left running.
                    JsonNode previous = JSON.readTree(send(gateway, "GET", "/v1/ingestion_jobs/" + jobs.get(round - 1), null).body());
                    assertThat(previous.get("status").asText()).as("round %d: %s", round, previous).isIn("failed", "completed_with_errors", "completed");
                    if (!previous.get("status").asText().equals("completed")) {
                        assertThat(previous.get("errors").toString()).contains("interrupted");
                    }
                }
                String text = new String(LoadIsolationDrillTest.oneSentence(1 << 20, round), java.nio.charset.StandardCharsets.UTF_8);
                HttpResponse<String> accepted = send(gateway, "POST", "/v1/knowledge_bases/minutes/documents",
                        JSON.writeValueAsString(Map.of("documents", List.of(Map.of("title", "minutes " + round, "text", text)))));
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                jobs.add(JSON.readTree(accepted.body()).get("id").asText());
                // SIGTERM while the document is chunked (first rounds) or its chunks embedded (later ones).
                Thread.sleep(100 + random.nextInt(100 + round * 150));
                gateway.terminate();
                int exit = gateway.awaitExit(Duration.ofSeconds(60));
                exits.add(exit);
                String log = gateway.log();
                assertThat(exit).as("round %d exit status; log:%n%s", round, log).isEqualTo(143);
                assertThat(log).as("round %d", round).doesNotContain("panicked", "fatal error", "SIGSEGV", "hs_err", "Exception in thread");
            }
        }
        try (GatewayProcess gateway = GatewayProcess.start(dir, env)) {
            assertThat(gateway.awaitStarted(Duration.ofSeconds(90))).as(gateway.log()).isTrue();
            JsonNode last = JSON.readTree(send(gateway, "GET", "/v1/ingestion_jobs/" + jobs.get(ROUNDS - 1), null).body());
            assertThat(last.get("status").asText()).isNotIn("queued", "running");
            gateway.terminate();
            assertThat(gateway.awaitExit(Duration.ofSeconds(30))).isEqualTo(143);
        }
        assertThat(dir.toFile().list((d, name) -> name.startsWith("hs_err"))).isEmpty();
        System.out.printf("DRILL sigterm-during-ingestion: rounds=%d exits=%s%n", ROUNDS, exits);
    }
}
