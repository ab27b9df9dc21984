package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams that survive their connection: numbered events, resume with {@code Last-Event-ID} (missed events, then the
 * live rest, nothing twice, the answer generated once), cancel by id, the upstream call cancelled when nobody comes back;
 * and a backend dying mid-stream, continued by the next tier with a marker and a trailer.
 */
class ResumableStreamsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static FakeOpenAiUpstream primary;
    private static FakeOpenAiUpstream secondary;
    private static TestGateway gateway;
    private static int port;

    @BeforeAll
    static void start() {
        primary = FakeOpenAiUpstream.start();
        secondary = FakeOpenAiUpstream.start();
        gateway = TestGateway.start(config("1500ms"));
        port = Integer.parseInt(gateway.url().substring(gateway.url().lastIndexOf(':') + 1));
    }

    static Map<String, Object> config(String window) {
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("primary", TestGateway.openAiBackend(primary.baseUrl(), Map.of("total-timeout", "30s", "circuit-breaker", Map.of("enabled", false))));
        backends.put("secondary", TestGateway.openAiBackend(secondary.baseUrl(), Map.of("total-timeout", "30s", "circuit-breaker", Map.of("enabled", false))));
        return Map.of("backends", backends,
                "streams", Map.of("resume-window", window),
                "models", List.of(
                        Map.of("id", "solo", "routes", List.of(TestGateway.route("primary", "big")), "retry", TestGateway.fastRetry(1)),
                        Map.of("id", "chat", "routes", List.of(TestGateway.route("primary", "big")), "retry", TestGateway.fastRetry(1),
                                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("secondary", "small")), "retry", TestGateway.fastRetry(1)))),
                        Map.of("id", "strict", "routes", List.of(TestGateway.route("primary", "big")), "retry", TestGateway.fastRetry(1),
                                "mid-stream-fallback", false,
                                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("secondary", "small")), "retry", TestGateway.fastRetry(1))))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        primary.close();
        secondary.close();
    }

    @BeforeEach
    void clean() {
        primary.reset();
        secondary.reset();
    }

    private static String body(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}]}";
    }

    static RawSse stream(int port, String model, String... headers) {
        List<String> all = new ArrayList<>(List.of("Authorization", "Bearer " + TestGateway.KEY));
        all.addAll(List.of(headers));
        return RawSse.open("127.0.0.1", port, "POST", "/v1/chat/completions", body(model), all.toArray(String[]::new));
    }

    static RawSse resume(int port, String streamId, String lastEventId) {
        return lastEventId == null
                ? RawSse.open("127.0.0.1", port, "GET", "/v1/chat/completions/" + streamId + "/events", null, "Authorization", "Bearer " + TestGateway.KEY)
                : RawSse.open("127.0.0.1", port, "GET", "/v1/chat/completions/" + streamId + "/events", null, "Authorization", "Bearer " + TestGateway.KEY,
                "Last-Event-ID", lastEventId);
    }

    private static String[] words(int n) {
        String[] words = new String[n];
        for (int i = 0; i < n; i++) {
            words[i] = "w" + i + " ";
        }
        return words;
    }

    /** The text of the content deltas among these events. */
    static String text(List<RawSse.Event> events) throws Exception {
        StringBuilder text = new StringBuilder();
        for (RawSse.Event e : events) {
            if (e.data().startsWith("{")) {
                text.append(JSON.readTree(e.data()).at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void aClientThatDropsResumesWithTheMissedEventsThenTheLiveRestNoGapNoDuplicateGeneratedOnce() throws Exception {
        String[] words = words(30);
        primary.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(25)));
        List<RawSse.Event> seen = new ArrayList<>();
        String streamId;
        try (RawSse first = stream(port, "solo")) {
            assertThat(first.status).isEqualTo(200);
            streamId = first.headers.get("x-meridian-stream-id");
            assertThat(streamId).startsWith("chatcmpl-");
            for (int i = 0; i < 6; i++) {
                seen.add(first.next());
            }
        }
        String lastId = seen.get(seen.size() - 1).id();
        try (RawSse again = resume(port, streamId, lastId)) {
            assertThat(again.status).isEqualTo(200);
            seen.addAll(again.rest());
        }
        assertThat(text(seen)).isEqualTo(String.join("", words));
        List<Long> ids = seen.stream().filter(e -> e.data().startsWith("{") && !e.data().contains("finish_reason\":\"stop"))
                .map(e -> Long.parseLong(e.id())).toList();
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("consecutive event numbers, none twice").isEqualTo(ids.get(i - 1) + 1);
        }
        assertThat(seen.get(seen.size() - 1).data()).isEqualTo("[DONE]");
        assertThat(primary.requests()).as("the answer was generated once").hasSize(1);
        assertThat(JSON.readTree(seen.get(0).data()).get("id").asText()).isEqualTo(streamId);
    }

    @Test
    void aStreamThatFinishedWhileItsClientWasAwayIsKeptForTheWindow() throws Exception {
        String[] words = words(8);
        primary.enqueue(UpstreamBehavior.answer(words).withPieceDelay(Duration.ofMillis(10)));
        List<RawSse.Event> seen = new ArrayList<>();
        String streamId;
        try (RawSse first = stream(port, "solo")) {
            streamId = first.headers.get("x-meridian-stream-id");
            seen.add(first.next());
            seen.add(first.next());
        }
        Thread.sleep(400);
        try (RawSse again = resume(port, streamId, seen.get(1).id())) {
            seen.addAll(again.rest());
        }
        assertThat(text(seen)).isEqualTo(String.join("", words));
        try (RawSse whole = resume(port, streamId, null)) {
            List<RawSse.Event> all = whole.rest();
            assertThat(text(all)).as("without Last-Event-ID: the whole stream").isEqualTo(String.join("", words));
            String lastId = all.get(all.size() - 1).id();
            try (RawSse nothingNew = resume(port, streamId, lastId)) {
                assertThat(nothingNew.rest()).as("the client had it all: only the end marker").extracting(RawSse.Event::data).containsExactly("[DONE]");
            }
        }
    }

    @Test
    void unknownStreamsAre404AndABadLastEventIdIs400InOpenAisShape() throws Exception {
        try (RawSse unknown = resume(port, "chatcmpl-doesnotexist", "3")) {
            assertThat(unknown.status).isEqualTo(404);
            assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("stream_not_found");
        }
        try (RawSse bad = resume(port, "chatcmpl-x", "seven")) {
            assertThat(bad.status).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).at("/error/param").asText()).isEqualTo("Last-Event-ID");
        }
        HttpResponse<String> cancel = gateway.post("/v1/chat/completions/chatcmpl-doesnotexist/cancel", "");
        assertThat(cancel.statusCode()).isEqualTo(404);
    }

    @Test
    void anotherTenantsStreamIdIsNotFoundAndCannotBeCancelled() throws Exception {
        Admin admin = new Admin(gateway);
        admin.tenant("acme");
        admin.tenant("globex");
        String acme = admin.key("acme", null)[1];
        String globex = admin.key("globex", null)[1];
        primary.enqueue(UpstreamBehavior.answer(words(100)).withPieceDelay(Duration.ofMillis(20)));
        try (RawSse owner = RawSse.open("127.0.0.1", port, "POST", "/v1/chat/completions", body("solo"), "Authorization", "Bearer " + acme)) {
            String streamId = owner.headers.get("x-meridian-stream-id");
            owner.next();
            try (RawSse stranger = RawSse.open("127.0.0.1", port, "GET", "/v1/chat/completions/" + streamId + "/events", null,
                    "Authorization", "Bearer " + globex)) {
                assertThat(stranger.status).isEqualTo(404);
                assertThat(JSON.readTree(stranger.body()).at("/error/code").asText()).isEqualTo("stream_not_found");
            }
            assertThat(gateway.post("/v1/chat/completions/" + streamId + "/cancel", "", "authorization", "Bearer " + globex).statusCode())
                    .isEqualTo(404);
            // A read-only key of the stream's own tenant may follow it but not stop it for everyone.
            String reader = admin.key("acme", "\"role\":\"reader\"")[1];
            BadInputTest.assertOpenAiError(gateway.post("/v1/chat/completions/" + streamId + "/cancel", "", "authorization", "Bearer " + reader),
                    403, null, "permission_denied");
            try (RawSse follower = RawSse.open("127.0.0.1", port, "GET", "/v1/chat/completions/" + streamId + "/events", null,
                    "Authorization", "Bearer " + reader, "Last-Event-ID", "2")) {
                assertThat(follower.status).as("a reader follows it").isEqualTo(200);
                assertThat(follower.next().data()).doesNotContain("\"finish_reason\":\"cancelled\"");
            }
            try (RawSse again = RawSse.open("127.0.0.1", port, "GET", "/v1/chat/completions/" + streamId + "/events", null,
                    "Authorization", "Bearer " + acme, "Last-Event-ID", "2")) {
                assertThat(again.status).as("its own tenant resumes it").isEqualTo(200);
            }
        }
    }

    @Test
    void cancellingByIdStopsTheUpstreamCall() throws Exception {
        primary.enqueue(UpstreamBehavior.answer(words(200)).withPieceDelay(Duration.ofMillis(50)));
        try (RawSse client = stream(port, "solo")) {
            String streamId = client.headers.get("x-meridian-stream-id");
            client.next();
            long asked = System.nanoTime();
            HttpResponse<String> cancel = gateway.post("/v1/chat/completions/" + streamId + "/cancel", "");
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
            List<RawSse.Event> rest = client.rest();
            assertThat(rest.get(rest.size() - 2).data()).contains("\"finish_reason\":\"cancelled\"");
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (primary.clientDisconnects() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(primary.clientDisconnects()).isEqualTo(1);
            System.out.printf("cancel by id: upstream call closed %d ms after the request%n",
                    (primary.lastClientDisconnectNanos() - asked) / 1_000_000);
        }
    }

    @Test
    void aClientThatDoesNotComeBackHasTheUpstreamCallCancelledWhenTheWindowEnds() throws Exception {
        primary.enqueue(UpstreamBehavior.answer(words(400)).withPieceDelay(Duration.ofMillis(20)));
        long left;
        try (RawSse client = stream(port, "solo")) {
            client.next();
            left = System.nanoTime();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (primary.clientDisconnects() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(primary.clientDisconnects()).isEqualTo(1);
        long took = (primary.lastClientDisconnectNanos() - left) / 1_000_000;
        System.out.printf("client gone, resume window 1500 ms: upstream call cancelled after %d ms%n", took);
        assertThat(took).as("the answer went on for the window, then stopped").isBetween(1_400L, 3_500L);
    }

    @Test
    void aBackendDyingMidStreamIsContinuedByTheNextTierWithAMarkerAndATrailer() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Once", " upon", " a", " time").cutAfter(2));
        secondary.enqueue(UpstreamBehavior.answer(" a time", " there was a dragon."));
        List<RawSse.Event> events;
        try (RawSse client = stream(port, "chat")) {
            assertThat(client.status).isEqualTo(200);
            assertThat(client.headers.get("x-meridian-backend")).isEqualTo("primary");
            assertThat(client.headers.get("trailer")).isEqualTo("x-meridian-mid-stream-fallback");
            events = client.rest();
            assertThat(client.trailers.get("x-meridian-mid-stream-fallback")).startsWith("primary>secondary;tier=1;after_chars=9");
        }
        assertThat(text(events)).isEqualTo("Once upon a time there was a dragon.");
        JsonNode finish = JSON.readTree(events.get(events.size() - 2).data());
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        assertThat(finish.at("/mid_stream_fallback/0/from_backend").asText()).isEqualTo("primary");
        assertThat(finish.at("/mid_stream_fallback/0/to_backend").asText()).isEqualTo("secondary");
        assertThat(finish.at("/mid_stream_fallback/0/continuation").asText()).isEqualTo("prompt");
        assertThat(finish.at("/mid_stream_fallback/0/reason").asText()).isEqualTo("stream_cut");
        String continuation = secondary.requests().get(0).body();
        assertThat(continuation).contains("\"role\":\"assistant\",\"content\":\"Once upon\"").contains("Continue it exactly");
        String metrics = gateway.get("/metrics").body();
        assertThat(metrics).containsPattern("meridian_mid_stream_fallbacks_total\\{from=\"primary\",model=\"chat\",reason=\"stream_cut\",style=\"prompt\",to=\"secondary\"} [1-9]");
    }

    @Test
    void theFrameworkPathCarriesTheMarkerInTheLastChunkToo() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Once", " upon", " a", " time").cutAfter(2));
        secondary.enqueue(UpstreamBehavior.answer(" a time."));
        // A request declaring a Content-Encoding is left to the framework's handler.
        RawSse.Event last = null;
        List<RawSse.Event> events;
        try (RawSse client = RawSse.open("127.0.0.1", port, "POST", "/v1/chat/completions", body("chat"),
                "Authorization", "Bearer " + TestGateway.KEY, "Content-Encoding", "identity")) {
            assertThat(client.headers).doesNotContainKey("trailer");
            events = client.rest();
        }
        for (RawSse.Event e : events) {
            if (e.data().contains("mid_stream_fallback")) {
                last = e;
            }
        }
        assertThat(text(events)).isEqualTo("Once upon a time.");
        assertThat(last).as("the marker").isNotNull();
    }

    @Test
    void offForTheModelABackendDyingMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        primary.enqueue(UpstreamBehavior.answer("Once", " upon", " a", " time").cutAfter(2));
        try (RawSse client = stream(port, "strict")) {
            List<RawSse.Event> events = client.rest();
            assertThat(text(events)).isEqualTo("Once upon");
            assertThat(JSON.readTree(events.get(events.size() - 1).data()).at("/error/code").asText()).isEqualTo("upstream_error");
        }
        assertThat(secondary.requests()).isEmpty();
    }
}
