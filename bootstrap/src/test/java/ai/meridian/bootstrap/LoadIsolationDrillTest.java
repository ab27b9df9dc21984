package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The drill of issue 9: five 1 MB one-"sentence" uploads and a 2,048-input embeddings call, while
 * conversations, knowledge bases and a grounded chat that continues a stored conversation are probed every
 * second. Every probe must answer 200 within 2 s: ingestion's CPU work runs on its own pool, embeddings for
 * queries have a thread of their own, and the database's threads only ever talk to the database. The gateway
 * is closed at the end with ingestion still under way, which must not crash the JVM either.
 */
class LoadIsolationDrillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PROBE_BOUND = Duration.ofSeconds(2);

    record Probe(String name, long startedMillis, long millis, int status) {
    }

    @Test
    void databaseBackedEndpointsAnswerWithinTwoSecondsWhileUploadsAndEmbeddingsRun() throws Exception {
        try (TestGateway gateway = TestGateway.start(Map.of())) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"handbook\"}").statusCode()).isEqualTo(201);
            assertThat(gateway.post("/v1/knowledge_bases", "{\"name\":\"uploads\"}").statusCode()).isEqualTo(201);
            String job = JSON.readTree(gateway.post("/v1/knowledge_bases/handbook/documents", "{\"documents\":[{\"title\":\"Leave\","
                    + "\"text\":\"Employees get 25 days of paid leave a year. Leave is requested in the HR portal.\"}]}").body()).get("id").asText();
            awaitJob(gateway, job);
            HttpResponse<String> first = gateway.post("/v1/chat/completions", grounded("new"));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            String conversation = JSON.readTree(first.body()).get("conversation_id").asText();

            List<Probe> probes = Collections.synchronizedList(new ArrayList<>());
            ScheduledExecutorService probing = Executors.newScheduledThreadPool(3);
            long t0 = System.currentTimeMillis();
            probing.scheduleAtFixedRate(() -> probes.add(probe(http, gateway, "conversations", "GET", "/v1/conversations", null, t0)),
                    0, 1, TimeUnit.SECONDS);
            probing.scheduleAtFixedRate(() -> probes.add(probe(http, gateway, "knowledge_bases", "GET", "/v1/knowledge_bases", null, t0)),
                    300, 1000, TimeUnit.MILLISECONDS);
            probing.scheduleAtFixedRate(() -> probes.add(probe(http, gateway, "grounded_chat", "POST", "/v1/chat/completions",
                    grounded(conversation), t0)), 600, 1000, TimeUnit.MILLISECONDS);

            List<CompletableFuture<HttpResponse<String>>> uploads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String boundary = "drill-" + i;
                uploads.add(http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/knowledge_bases/uploads/documents"))
                        .header("authorization", "Bearer " + TestGateway.KEY)
                        .header("content-type", "multipart/form-data; boundary=" + boundary)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, "minutes-" + i + ".txt", oneSentence(1 << 20, i))))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            StringBuilder inputs = new StringBuilder("{\"model\":\"bge-small-zh-v1.5\",\"input\":[");
            for (int i = 0; i < 2048; i++) {
                inputs.append(i == 0 ? "" : ",").append("\"input ").append(i)
                        .append(" of a large embeddings call, a sentence of ordinary length about the gateway\"");
            }
            long embeddingsStart = System.currentTimeMillis();
            CompletableFuture<HttpResponse<String>> embeddings = http.sendAsync(HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/embeddings"))
                    .header("authorization", "Bearer " + TestGateway.KEY).header("content-type", "application/json")
                    .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(inputs.append("]}").toString())).build(),
                    HttpResponse.BodyHandlers.ofString());

            for (CompletableFuture<HttpResponse<String>> upload : uploads) {
                HttpResponse<String> accepted = upload.get(60, TimeUnit.SECONDS);
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            }
            HttpResponse<String> embedded = embeddings.get(5, TimeUnit.MINUTES);
            long embeddingsMillis = System.currentTimeMillis() - embeddingsStart;
            assertThat(embedded.statusCode()).as(embedded.body()).isEqualTo(200);
            // Keep probing a while after the embeddings call: the uploads are still being ingested.
            Thread.sleep(10_000);
            probing.shutdown();
            assertThat(probing.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            JsonNode ready = JSON.readTree(gateway.get("/health/ready").body());

            List<Probe> all;
            synchronized (probes) {
                all = List.copyOf(probes);
            }
            System.out.printf("DRILL load-isolation: embeddings(2048)=%d ms probes=%d max: conversations=%d ms knowledge_bases=%d ms "
                            + "grounded_chat=%d ms; pools at the end %s%n", embeddingsMillis, all.size(),
                    max(all, "conversations"), max(all, "knowledge_bases"), max(all, "grounded_chat"), ready.get("pools"));
            assertThat(all).hasSizeGreaterThan(30);
            assertThat(all).allSatisfy(p -> {
                assertThat(p.status()).as("%s at %d ms", p.name(), p.startedMillis()).isEqualTo(200);
                assertThat(p.millis()).as("%s at %d ms", p.name(), p.startedMillis()).isLessThanOrEqualTo(PROBE_BOUND.toMillis());
            });
            assertThat(ready.at("/pools/ingestion/busy").asInt() + ready.at("/pools/ingestion/waiting").asInt()
                    + ready.at("/pools/embeddings/busy").asInt()).as("ingestion still under way when the gateway closes").isPositive();
        }
    }

    @Test
    void readinessReportsASaturatedDatabasePool() throws Exception {
        try (TestGateway gateway = TestGateway.start(Map.of())) {
            assertThat(gateway.get("/health/ready").statusCode()).isEqualTo(200);
            javax.sql.DataSource dataSource = io.micronaut.data.connection.jdbc.advice.DelegatingDataSource.unwrapDataSource(
                    gateway.context().getBean(javax.sql.DataSource.class));
            List<java.sql.Connection> held = new ArrayList<>();
            int size = JSON.readTree(gateway.get("/health/ready").body()).at("/pools/database/size").asInt();
            try {
                for (int i = 0; i < size; i++) {
                    held.add(dataSource.getConnection());
                }
                // Requests now wait for a connection (and get a 503 after the 2 s connection timeout).
                CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(() -> gateway.get("/v1/conversations"));
                HttpResponse<String> ready = null;
                for (int i = 0; i < 20; i++) {
                    Thread.sleep(50);
                    ready = gateway.get("/health/ready");
                    if (ready.statusCode() == 503) {
                        break;
                    }
                }
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
                JsonNode body = JSON.readTree(ready.body());
                assertThat(body.get("status").asText()).isEqualTo("DOWN");
                assertThat(body.at("/pools/database/saturated").asBoolean()).isTrue();
                assertThat(body.at("/pools/database/waiting").asInt()).isPositive();
                HttpResponse<String> refused = waiting.get(10, TimeUnit.SECONDS);
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("retry-after")).isPresent();
            } finally {
                for (java.sql.Connection connection : held) {
                    connection.close();
                }
            }
            assertThat(gateway.get("/health/ready").statusCode()).isEqualTo(200);
        }
    }

    private static long max(List<Probe> probes, String name) {
        return probes.stream().filter(p -> p.name().equals(name)).mapToLong(Probe::millis).max().orElse(-1);
    }

    private static Probe probe(HttpClient http, TestGateway gateway, String name, String method, String path, String body, long t0) {
        long start = System.currentTimeMillis();
        int status;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path)).timeout(Duration.ofSeconds(30))
                    .header("authorization", "Bearer " + TestGateway.KEY).header("content-type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            status = -1;
        }
        return new Probe(name, start - t0, System.currentTimeMillis() - start, status);
    }

    private static String grounded(String conversation) {
        return "{\"model\":\"extractive\",\"conversation_id\":\"" + conversation + "\",\"knowledge_bases\":[\"handbook\"],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"How many days of paid leave do employees get?\"}]}";
    }

    private static void awaitJob(TestGateway gateway, String id) throws Exception {
        for (int i = 0; i < 300; i++) {
            String status = JSON.readTree(gateway.get("/v1/ingestion_jobs/" + id).body()).get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("ingestion did not finish");
    }

    /** Lower-case prose with "a. b." inside: no sentence end the splitter recognises, so one sentence of {@code bytes}. */
    static byte[] oneSentence(int bytes, int seed) {
        StringBuilder text = new StringBuilder(bytes + 64);
        String[] words = {"minutes", "of", "the", "meeting", "a.", "b.", "c.", "budget", "review", "item", "and", "so", "on"};
        for (int i = seed; text.length() < bytes; i++) {
            text.append(words[i % words.length]).append(i % 97).append(' ');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] multipart(String boundary, String filename, byte[] content) {
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + content.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(content, 0, all, head.length, content.length);
        System.arraycopy(tail, 0, all, head.length + content.length, tail.length);
        return all;
    }
}
