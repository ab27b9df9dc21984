package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The streams drill: many concurrent streams, SSE and WebSocket mixed, through two gateways sharing one real
 * redis-server (their stream buffer), with random client disconnects and reconnects (to the same gateway or the other)
 * and random backend cuts continued by the next tier. Every stream's text must equal what the backend wrote (spliced
 * where it was cut), every event number must come exactly once in order, no upstream call may stay open, and the heap
 * must come back to its baseline.
 *
 * <p>CI runs {@value #CI_STREAMS} streams; the full drill is {@code -Dmeridian.drill.streams=1000} (see
 * docs/operations.md).
 */
class StreamSurvivalDrillTest {
    static final int CI_STREAMS = 120;
    private static final int PIECES = 24;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STREAM = Pattern.compile("drill stream (\\d+)");

    /** The answer of stream {@code n}: {@value #PIECES} pieces {@code n:i }. */
    static String[] pieces(int n, int from) {
        String[] pieces = new String[PIECES - from];
        for (int i = from; i < PIECES; i++) {
            pieces[i - from] = n + ":" + i + " ";
        }
        return pieces;
    }

    static String expected(int n) {
        return String.join("", pieces(n, 0));
    }

    private static int streamOf(String body) {
        Matcher m = STREAM.matcher(body);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    @Test
    void manyStreamsSurviveDisconnectsReconnectsToAnotherReplicaAndBackendCuts() throws Exception {
        int streams = Integer.getInteger("meridian.drill.streams", CI_STREAMS);
        long pieceDelay = Long.getLong("meridian.drill.piece-delay-ms", streams > 200 ? 120 : 40);
        // The full drill's 1,000 streams on two cores reconnect seconds late: a 3 s window would expire streams their clients still want.
        int windowSeconds = Integer.getInteger("meridian.drill.resume-window-s", streams > 200 ? 10 : 3);
        AtomicInteger cuts = new AtomicInteger();
        FakeOpenAiUpstream primary = FakeOpenAiUpstream.start();
        FakeOpenAiUpstream secondary = FakeOpenAiUpstream.start();
        primary.respondWith(request -> {
            int n = streamOf(request.body());
            UpstreamBehavior answer = UpstreamBehavior.answer(pieces(n, 0)).withPieceDelay(Duration.ofMillis(pieceDelay));
            if (ThreadLocalRandom.current().nextInt(100) < 15) {
                cuts.incrementAndGet();
                return answer.cutAfter(1 + ThreadLocalRandom.current().nextInt(PIECES - 2));
            }
            return answer;
        });
        // The next tier continues after the last piece the partial answer (the assistant message) holds, or starts over.
        secondary.respondWith(request -> {
            String body = request.body();
            int n = streamOf(body);
            int assistant = body.lastIndexOf("\"assistant\"");
            int from = 0;
            if (assistant >= 0) {
                Matcher piece = Pattern.compile(n + ":(\\d+) ").matcher(body.substring(assistant));
                while (piece.find()) {
                    from = Integer.parseInt(piece.group(1)) + 1;
                }
            }
            return UpstreamBehavior.answer(pieces(n, from)).withPieceDelay(Duration.ofMillis(pieceDelay));
        });
        try (RedisServer redis = RedisServer.start();
             TestGateway a = TestGateway.start(config(primary, secondary, redis, windowSeconds));
             TestGateway b = TestGateway.start(config(primary, secondary, redis, windowSeconds))) {
            List<TestGateway> gateways = List.of(a, b);
            // Warm up both gateways, then take the heap's baseline.
            for (TestGateway g : gateways) {
                new Drive(g, g, 0, false, -1, 0).run();
                new Drive(g, g, 0, true, -1, 0).run();
            }
            long baseline = heapAfterGc();

            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger resumedSame = new AtomicInteger();
            AtomicInteger resumedOther = new AtomicInteger();
            AtomicInteger overWs = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(streams);
            CountDownLatch done = new CountDownLatch(streams);
            long started = System.nanoTime();
            for (int i = 1; i <= streams; i++) {
                int n = i;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                boolean ws = random.nextBoolean();
                int dropAfter = random.nextInt(100) < 35 ? 2 + random.nextInt(PIECES / 2) : -1;
                TestGateway first = gateways.get(random.nextInt(2));
                TestGateway second = dropAfter > 0 && random.nextBoolean() ? (first == a ? b : a) : first;
                if (ws) {
                    overWs.incrementAndGet();
                }
                if (dropAfter > 0) {
                    (second == first ? resumedSame : resumedOther).incrementAndGet();
                }
                clients.execute(() -> {
                    try {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(500)); // they do not all come at once
                        new Drive(first, second, n, ws, dropAfter, ThreadLocalRandom.current().nextInt(400)).run();
                    } catch (Throwable e) {
                        failures.add("stream " + n + " (" + (ws ? "ws" : "sse") + ", drop " + dropAfter + "): " + e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            assertThat(done.await(10, TimeUnit.MINUTES)).as("every stream ended").isTrue();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            clients.shutdown();
            assertThat(failures).as("streams whose text or events were wrong").isEmpty();

            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((primary.streamsInProgress() > 0 || secondary.streamsInProgress() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(primary.streamsInProgress() + secondary.streamsInProgress()).as("open upstream calls").isZero();
            Thread.sleep(windowSeconds * 1000L + 500); // past the resume window: every buffer left expires
            primary.reset();
            secondary.reset();
            long after = heapAfterGc();
            double switches = metric(a, "meridian_mid_stream_fallbacks_total") + metric(b, "meridian_mid_stream_fallbacks_total");
            System.out.printf("streams drill: %d streams (%d WebSocket, %d SSE) in %d ms; %d resumed on the same gateway, %d on the other; "
                            + "%d backend cuts, %.0f continued mid-stream; heap %d MB before, %d MB after%n", streams, overWs.get(),
                    streams - overWs.get(), tookMillis, resumedSame.get(), resumedOther.get(), cuts.get(), switches,
                    baseline >> 20, after >> 20);
            assertThat(after).as("heap back to its baseline (within 48 MB)").isLessThan(baseline + (48L << 20));
        } finally {
            primary.close();
            secondary.close();
        }
    }

    private static Map<String, Object> config(FakeOpenAiUpstream primary, FakeOpenAiUpstream secondary, RedisServer redis, int windowSeconds) {
        Map<String, Object> backends = new LinkedHashMap<>();
        Map<String, Object> settings = Map.of("total-timeout", "120s", "first-token-timeout", "30s", "max-connections", 4096,
                "circuit-breaker", Map.of("enabled", false));
        backends.put("primary", TestGateway.openAiBackend(primary.baseUrl(), settings));
        backends.put("secondary", TestGateway.openAiBackend(secondary.baseUrl(), settings));
        return Map.of("backends", backends,
                "redis", Map.of("url", redis.url(), "command-timeout", "5s"),
                "streams", Map.of("buffer", "redis", "resume-window", windowSeconds + "s"),
                "websocket", Map.of("send-buffer", "4MB"),
                // Every drill client comes from 127.0.0.1: the per-address cap (512) would refuse the full drill's 1,000.
                "http", Map.of("max-connections-per-address", 8192),
                "models", List.of(Map.of("id", "drill", "routes", List.of(TestGateway.route("primary", "big")), "retry", TestGateway.fastRetry(1),
                        "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("secondary", "small")), "retry", TestGateway.fastRetry(2))))));
    }

    private static long heapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, runtime.totalMemory() - runtime.freeMemory());
        }
        return used;
    }

    private static double metric(TestGateway gateway, String name) {
        return gateway.get("/metrics").body().lines().filter(l -> l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static int port(TestGateway gateway) {
        return Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    /** One stream from one client: sent to {@code first}, dropped after {@code dropAfter} events (or not), resumed on {@code second}. */
    private record Drive(TestGateway first, TestGateway second, int n, boolean ws, int dropAfter, int awayMillis) {
        private String body() {
            return "{\"model\":\"drill\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"drill stream " + n + "\"}]}";
        }

        void run() throws Exception {
            if (ws) {
                overWebSocket();
            } else {
                overSse();
            }
        }

        private void overSse() throws Exception {
            List<Long> numbers = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            String streamId = null;
            boolean ended = false;
            try (RawSse client = RawSse.open("127.0.0.1", port(first), "POST", "/v1/chat/completions", body(),
                    "Authorization", "Bearer " + TestGateway.KEY)) {
                assertThat(client.status).isEqualTo(200);
                streamId = client.headers.get("x-meridian-stream-id");
                for (RawSse.Event e = client.next(); e != null; e = client.next()) {
                    ended |= take(e, numbers, text);
                    if (dropAfter > 0 && numbers.size() >= dropAfter && !ended) {
                        break;
                    }
                }
            }
            if (!ended) {
                Thread.sleep(awayMillis);
                long last = numbers.get(numbers.size() - 1);
                try (RawSse again = RawSse.open("127.0.0.1", port(second), "GET", "/v1/chat/completions/" + streamId + "/events", null,
                        "Authorization", "Bearer " + TestGateway.KEY, "Last-Event-ID", String.valueOf(last))) {
                    assertThat(again.status).as("resume").isEqualTo(200);
                    for (RawSse.Event e = again.next(); e != null; e = again.next()) {
                        ended |= take(e, numbers, text);
                    }
                }
            }
            check(ended, numbers, text.toString(), 2);
        }

        /** Takes one SSE event: its number and text; true at the end of the stream. */
        private static boolean take(RawSse.Event e, List<Long> numbers, StringBuilder text) throws Exception {
            if (e.data().equals("[DONE]")) {
                return true;
            }
            JsonNode chunk = JSON.readTree(e.data());
            if (chunk.has("error")) {
                throw new AssertionError("error event: " + e.data());
            }
            long number = Long.parseLong(e.id());
            if (numbers.isEmpty() || numbers.get(numbers.size() - 1) != number) {
                numbers.add(number); // the closing chunks share the last event's number
            }
            text.append(chunk.at("/choices/0/delta/content").asText(""));
            return false;
        }

        private void overWebSocket() throws Exception {
            List<Long> numbers = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            String streamId = null;
            boolean ended = false;
            try (WsClient client = WsClient.connect(first.url(), TestGateway.KEY)) {
                client.send("{\"type\":\"request\",\"id\":\"s\",\"body\":" + body() + "}");
                while (!ended) {
                    JsonNode frame = client.next();
                    if (frame.path("type").asText().equals("start")) {
                        streamId = frame.path("stream_id").asText();
                    }
                    ended = takeFrame(frame, numbers, text);
                    if (dropAfter > 0 && numbers.size() >= dropAfter && !ended) {
                        break;
                    }
                }
            }
            if (!ended) {
                Thread.sleep(awayMillis);
                long last = numbers.get(numbers.size() - 1);
                try (WsClient again = WsClient.connect(second.url(), TestGateway.KEY)) {
                    again.send("{\"type\":\"resume\",\"id\":\"r\",\"stream_id\":\"" + streamId + "\",\"after\":" + last + "}");
                    while (!ended) {
                        JsonNode frame = again.next();
                        if (frame.path("type").asText().equals("start")) {
                            continue; // a resumed stream opens with its start again
                        }
                        ended = takeFrame(frame, numbers, text);
                    }
                }
            }
            check(ended, numbers, text.toString(), 1);
        }

        private static boolean takeFrame(JsonNode frame, List<Long> numbers, StringBuilder text) {
            String type = frame.path("type").asText();
            if (type.equals("error")) {
                throw new AssertionError("error frame: " + frame);
            }
            numbers.add(frame.path("seq").asLong());
            if (type.equals("chunk")) {
                text.append(frame.at("/chunk/choices/0/delta/content").asText(""));
            }
            return type.equals("final");
        }

        private void check(boolean ended, List<Long> numbers, String text, long firstNumber) {
            assertThat(ended).as("stream %d ended", n).isTrue();
            assertThat(text).as("stream %d's text", n).isEqualTo(expected(n));
            assertThat(numbers.get(0)).as("stream %d's first event", n).isEqualTo(firstNumber);
            for (int i = 1; i < numbers.size(); i++) {
                assertThat(numbers.get(i)).as("stream %d: every event once, in order", n).isEqualTo(numbers.get(i - 1) + 1);
            }
        }
    }
}
