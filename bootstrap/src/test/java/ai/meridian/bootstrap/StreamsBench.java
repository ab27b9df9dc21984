package ai.meridian.bootstrap;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Figures for streams that survive (bench/streams-bench.sh runs it; skipped in the normal build): time to first byte
 * through WebSocket and SSE, resume latency (in-process and Redis buffers, SSE and WebSocket), and heap per open stream.
 * Everything runs in one JVM on loopback (gateway, fake upstream, clients), so the figures are relative ones for a busy
 * build host, not a quiet rig's.
 */
class StreamsBench {
    private static final int ROUNDS = Integer.getInteger("meridian.bench.rounds", 300);
    private static final int OPEN = Integer.getInteger("meridian.bench.open-streams", 400);

    private static String body(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"bench\"}]}";
    }

    private static Map<String, Object> config(FakeOpenAiUpstream upstream, RedisServer redis) {
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("fake", TestGateway.openAiBackend(upstream.baseUrl(), Map.of("total-timeout", "300s", "first-token-timeout", "300s",
                "max-connections", 4096, "circuit-breaker", Map.of("enabled", false))));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("backends", backends);
        config.put("models", List.of(Map.of("id", "chat", "routes", List.of(TestGateway.route("fake", "m")), "retry", TestGateway.fastRetry(1))));
        if (redis != null) {
            config.put("redis", Map.of("url", redis.url(), "command-timeout", "5s"));
            config.put("streams", Map.of("buffer", "redis", "resume-window", "30s"));
        } else {
            config.put("streams", Map.of("resume-window", "30s", "memory-budget", "512MB"));
        }
        return config;
    }

    private static int port(TestGateway gateway) {
        return Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    private static String stats(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        return String.format("p50 %.3f ms, p90 %.3f ms, p99 %.3f ms (n=%d)", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) (sorted.size() * 0.9)) / 1e6, sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6, sorted.size());
    }

    @Test
    void figures() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("meridian.bench"), "run with -Dmeridian.bench=true (bench/streams-bench.sh)");
        FakeOpenAiUpstream upstream = FakeOpenAiUpstream.start();
        try (RedisServer redis = RedisServer.start();
             TestGateway memory = TestGateway.start(config(upstream, null));
             TestGateway shared = TestGateway.start(config(upstream, redis))) {
            upstream.byDefault(UpstreamBehavior.answer("first", " second", " third"));
            ttfb(memory);
            resume(memory, "in-process buffer");
            resume(shared, "Redis buffer");
            heapPerOpenStream(memory, upstream, "in-process buffer");
            heapPerOpenStream(shared, upstream, "Redis buffer");
        } finally {
            upstream.close();
        }
    }

    /** Request sent to first content token received: SSE on a new connection each time, WebSocket on one open connection. */
    private void ttfb(TestGateway gateway) throws Exception {
        List<Long> sse = new ArrayList<>();
        List<Long> sseReused = new ArrayList<>();
        List<Long> ws = new ArrayList<>();
        for (int i = 0; i < ROUNDS + 50; i++) {
            long start = System.nanoTime();
            try (RawSse client = RawSse.open("127.0.0.1", port(gateway), "POST", "/v1/chat/completions", body("chat"),
                    "Authorization", "Bearer " + TestGateway.KEY)) {
                client.next();
                if (i >= 50) {
                    sse.add(System.nanoTime() - start);
                }
                client.rest();
            }
        }
        try (WsClient client = WsClient.connect(gateway.url(), TestGateway.KEY)) {
            for (int i = 0; i < ROUNDS + 50; i++) {
                long start = System.nanoTime();
                client.send("{\"type\":\"request\",\"id\":\"r" + i + "\",\"body\":" + body("chat") + "}");
                JsonNode frame;
                do {
                    frame = client.next();
                } while (!frame.path("type").asText().equals("chunk"));
                if (i >= 50) {
                    ws.add(System.nanoTime() - start);
                }
                client.until("r" + i);
            }
        }
        // SSE on a kept-alive connection, as SDKs send: the JDK's client, time to the first data line.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < ROUNDS + 50; i++) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.url() + "/v1/chat/completions"))
                    .header("authorization", "Bearer " + TestGateway.KEY).header("content-type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body("chat"))).build();
            long start = System.nanoTime();
            java.net.http.HttpResponse<java.util.stream.Stream<String>> response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofLines());
            long[] first = {0};
            response.body().forEach(line -> {
                if (first[0] == 0 && line.startsWith("data: {")) {
                    first[0] = System.nanoTime();
                }
            });
            if (i >= 50) {
                sseReused.add(first[0] - start);
            }
        }
        System.out.println("TTFB  SSE, new connection per request:   " + stats(sse));
        System.out.println("TTFB  SSE, kept-alive connection (JDK):  " + stats(sseReused));
        System.out.println("TTFB  WebSocket, one open connection:    " + stats(ws));
    }

    /** A client drops after 3 events and resumes at once: resume request sent to first missed event received. */
    private void resume(TestGateway gateway, String buffer) throws Exception {
        List<Long> sse = new ArrayList<>();
        List<Long> ws = new ArrayList<>();
        int rounds = Math.max(20, ROUNDS / 5);
        for (int i = 0; i < rounds; i++) {
            String streamId;
            String lastId;
            try (RawSse client = RawSse.open("127.0.0.1", port(gateway), "POST", "/v1/chat/completions", body("chat"),
                    "Authorization", "Bearer " + TestGateway.KEY)) {
                streamId = client.headers.get("x-meridian-stream-id");
                client.next();
                lastId = client.next().id();
            }
            long start = System.nanoTime();
            try (RawSse again = RawSse.open("127.0.0.1", port(gateway), "GET", "/v1/chat/completions/" + streamId + "/events", null,
                    "Authorization", "Bearer " + TestGateway.KEY, "Last-Event-ID", lastId)) {
                again.next();
                sse.add(System.nanoTime() - start);
                again.rest();
            }
        }
        for (int i = 0; i < rounds; i++) {
            String streamId;
            long last;
            try (WsClient client = WsClient.connect(gateway.url(), TestGateway.KEY)) {
                client.send("{\"type\":\"request\",\"id\":\"r\",\"body\":" + body("chat") + "}");
                JsonNode start = client.next();
                streamId = start.path("stream_id").asText();
                last = client.next().path("seq").asLong();
            }
            try (WsClient again = WsClient.connect(gateway.url(), TestGateway.KEY)) {
                long start = System.nanoTime();
                again.send("{\"type\":\"resume\",\"id\":\"r\",\"stream_id\":\"" + streamId + "\",\"after\":" + last + "}");
                JsonNode frame;
                do {
                    frame = again.next();
                } while (frame.path("type").asText().equals("start"));
                ws.add(System.nanoTime() - start);
                again.until("r");
            }
        }
        System.out.println("Resume, " + buffer + ", SSE (new connection, GET .../events): " + stats(sse));
        System.out.println("Resume, " + buffer + ", WebSocket (resume frame on an open connection): " + stats(ws));
    }

    private static long heap() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(150);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    /** {@value #OPEN} streams held open after their first tokens: heap growth per stream (gateway, buffer, and the test's own sockets). */
    private void heapPerOpenStream(TestGateway gateway, FakeOpenAiUpstream upstream, String buffer) throws Exception {
        String[] pieces = new String[21];
        java.util.Arrays.fill(pieces, "token ");
        upstream.byDefault(UpstreamBehavior.answer(pieces).withPauseBeforeLast(Duration.ofSeconds(60)));
        upstream.reset();
        long before = heap();
        List<RawSse> open = new ArrayList<>();
        try {
            for (int i = 0; i < OPEN; i++) {
                RawSse client = RawSse.open("127.0.0.1", port(gateway), "POST", "/v1/chat/completions", body("chat"),
                        "Authorization", "Bearer " + TestGateway.KEY);
                open.add(client);
            }
            for (RawSse client : open) {
                for (int k = 0; k < 20; k++) {
                    client.next();
                }
            }
            upstream.reset();
            long with = heap();
            System.out.printf("Heap per open stream (%s, 20 tokens each): %.1f KB (%d streams, %d MB -> %d MB; an upper bound: it includes "
                    + "the fake upstream's and the test client's objects for each stream)%n", buffer, (with - before) / 1024.0 / OPEN, OPEN,
                    before >> 20, with >> 20);
        } finally {
            open.forEach(RawSse::close);
            upstream.byDefault(UpstreamBehavior.answer("first", " second", " third"));
        }
    }
}
