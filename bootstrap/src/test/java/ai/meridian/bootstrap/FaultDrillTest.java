package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.UpstreamBehavior;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault drills: with a second tier configured, upstream failures of every kind cost the client nothing;
 * with no tier left, the client gets the right OpenAI error; circuits open and close as configured.
 */
class FaultDrillTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 12;
    private static FakeOpenAiUpstream primary;
    private static FakeOpenAiUpstream secondary;
    private static FakeOpenAiUpstream flaky;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        primary = FakeOpenAiUpstream.start();
        secondary = FakeOpenAiUpstream.start();
        flaky = FakeOpenAiUpstream.start();
        int deadPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            deadPort = socket.getLocalPort();
        }
        Map<String, Object> quick = Map.of("first-token-timeout", "300ms", "total-timeout", "600ms",
                "circuit-breaker", Map.of("enabled", false));
        Map<String, Object> backends = new LinkedHashMap<>();
        backends.put("primary", TestGateway.openAiBackend(primary.baseUrl(), quick));
        backends.put("secondary", TestGateway.openAiBackend(secondary.baseUrl(), Map.of("circuit-breaker", Map.of("enabled", false))));
        backends.put("dead", TestGateway.openAiBackend("http://127.0.0.1:" + deadPort + "/v1", Map.of("circuit-breaker", Map.of("enabled", false))));
        backends.put("flaky", TestGateway.openAiBackend(flaky.baseUrl(), Map.of("circuit-breaker", Map.of(
                "minimum-calls", 4, "sliding-window-size", 4, "failure-rate-threshold", 50, "wait-in-open", "800ms", "half-open-calls", 1))));
        gateway = TestGateway.start(Map.of("backends", backends, "models", List.of(
                twoTier("drill", "primary"),
                twoTier("refused", "dead"),
                twoTier("circuit", "flaky"),
                Map.of("id", "lonely", "routes", List.of(TestGateway.route("primary", "m")), "retry", TestGateway.fastRetry(2)),
                Map.of("id", "with-static", "routes", List.of(TestGateway.route("primary", "m")), "retry", TestGateway.fastRetry(1),
                        "static-answer", "We are busy; please try again in a minute."))));
    }

    private static Map<String, Object> twoTier(String id, String primaryBackend) {
        return Map.of("id", id,
                "routes", List.of(TestGateway.route(primaryBackend, "big")),
                "retry", TestGateway.fastRetry(id.equals("circuit") ? 1 : 2),
                "fallbacks", List.of(Map.of("routes", List.of(TestGateway.route("secondary", "small")), "retry", TestGateway.fastRetry(1))));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        primary.close();
        secondary.close();
        flaky.close();
    }

    @BeforeEach
    void reset() {
        for (FakeOpenAiUpstream upstream : List.of(primary, secondary, flaky)) {
            upstream.reset();
            upstream.byDefault(UpstreamBehavior.answer("served", " fine"));
        }
    }

    /** Runs ROUNDS whole and ROUNDS streamed requests; every one must succeed, served from the given tier. */
    private void drill(String model, Supplier<UpstreamBehavior> primaryFault, int expectedTier) {
        for (int i = 0; i < ROUNDS; i++) {
            boolean stream = i % 2 == 1;
            primary.byDefault(primaryFault.get());
            HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody(model, stream));
            assertThat(response.statusCode()).as("round %d (%s): %s", i, stream ? "stream" : "json", response.body()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-meridian-fallback-tier")).contains(String.valueOf(expectedTier));
            if (stream) {
                assertThat(response.body()).contains("\"content\":\"served\"").endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
            } else {
                assertThat(response.body()).contains("\"content\":\"served fine\"");
            }
        }
    }

    @Test
    void serverErrorsAreServedByTheNextTier() {
        drill("drill", () -> UpstreamBehavior.status(500, "internal"), 1);
        assertThat(primary.requests()).as("two attempts per request on the primary").hasSize(2 * ROUNDS);
        assertThat(secondary.requests()).hasSize(ROUNDS);
    }

    @Test
    void rateLimitsBeyondTheRetryAfterCapMoveOnAtOnce() {
        long start = System.nanoTime();
        drill("drill", () -> UpstreamBehavior.status(429, "quota").withRetryAfter(Duration.ofSeconds(30)), 1);
        assertThat(primary.requests()).as("Retry-After 30s is over the 2s cap: no retry").hasSize(ROUNDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aShortRetryAfterIsWaitedForAndTheRetrySucceeds() {
        primary.enqueue(UpstreamBehavior.status(429, "quota").withRetryAfter(Duration.ofSeconds(1)));
        long start = System.nanoTime();
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("drill", false));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-fallback-tier")).contains("0");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(primary.requests()).hasSize(2);
    }

    @Test
    void timeoutsAreServedByTheNextTier() {
        drill("drill", UpstreamBehavior::hangs, 1);
    }

    @Test
    void slowFirstTokensAreServedByTheNextTier() {
        drill("drill", () -> UpstreamBehavior.answer("too", " late").withFirstDelay(Duration.ofSeconds(2)), 1);
    }

    @Test
    void refusedConnectionsAreServedByTheNextTier() {
        drill("refused", () -> UpstreamBehavior.answer("unused"), 1);
    }

    @Test
    void connectionResetsAreServedByTheNextTier() {
        drill("drill", UpstreamBehavior::resets, 1);
    }

    @Test
    void streamsCutBeforeTheirFirstTokenAreServedByTheNextTier() {
        for (int i = 0; i < ROUNDS; i++) {
            primary.byDefault(UpstreamBehavior.answer("never", " seen").cutAfter(0));
            HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("drill", true));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-meridian-backend")).contains("secondary");
            assertThat(response.body()).doesNotContain("never").contains("served").endsWith("data: [DONE]\n\n");
        }
    }

    @Test
    void garbageFromThePrimaryIsServedByTheNextTier() {
        drill("drill", UpstreamBehavior::garbage, 1);
    }

    @Test
    void withNoTierLeftServerErrorsAreBadGateway() throws Exception {
        primary.byDefault(UpstreamBehavior.status(503, "down"));
        for (boolean stream : new boolean[] {false, true}) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("lonely", stream));
            assertError(response, 502, "upstream_error");
        }
    }

    @Test
    void withNoTierLeftRateLimitsAre429WithRetryAfter() throws Exception {
        primary.byDefault(UpstreamBehavior.status(429, "quota").withRetryAfter(Duration.ofSeconds(20)));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("lonely", false));
        assertError(response, 429, "rate_limit_exceeded");
        assertThat(response.headers().firstValue("retry-after")).contains("20");
    }

    @Test
    void withNoTierLeftTimeoutsAreGatewayTimeouts() throws Exception {
        primary.byDefault(UpstreamBehavior.hangs());
        assertError(gateway.post("/v1/chat/completions", TestGateway.chatBody("lonely", true)), 504, "upstream_timeout");
    }

    @Test
    void anUpstreamBadRequestIsTheClientsBadRequestAndNotRetriedElsewhere() throws Exception {
        primary.byDefault(UpstreamBehavior.status(400, "This model's maximum context length is 8192 tokens"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("drill", false));
        assertError(response, 400, "upstream_invalid_request");
        assertThat(response.body()).contains("maximum context length");
        assertThat(secondary.requests()).isEmpty();
        assertThat(primary.requests()).hasSize(1);
    }

    @Test
    void theStaticAnswerServesWhenEverythingElseFailed() {
        primary.byDefault(UpstreamBehavior.status(500, "down"));
        HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("with-static", false));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("x-meridian-backend")).contains("static");
        assertThat(response.headers().firstValue("x-meridian-fallback-tier")).contains("1");
        assertThat(response.body()).contains("We are busy; please try again in a minute.");
    }

    @Test
    void theCircuitOpensAfterFailuresSkipsTheBackendThenProbesAndCloses() throws Exception {
        flaky.byDefault(UpstreamBehavior.status(500, "sick"));
        for (int i = 0; i < 4; i++) {
            assertThat(gateway.post("/v1/chat/completions", TestGateway.chatBody("circuit", false)).statusCode()).isEqualTo(200);
        }
        assertThat(flaky.requests()).hasSize(4);
        assertThat(circuitState("flaky")).as("open").isEqualTo(1.0);

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = gateway.post("/v1/chat/completions", TestGateway.chatBody("circuit", false));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("x-meridian-backend")).contains("secondary");
        }
        assertThat(flaky.requests()).as("an open circuit is not called").hasSize(4);

        flaky.byDefault(UpstreamBehavior.answer("served", " fine"));
        Thread.sleep(1200);
        assertThat(circuitState("flaky")).as("half-open after the wait").isEqualTo(2.0);
        HttpResponse<String> probe = gateway.post("/v1/chat/completions", TestGateway.chatBody("circuit", false));
        assertThat(probe.headers().firstValue("x-meridian-backend")).contains("flaky");
        assertThat(circuitState("flaky")).as("closed after a good probe").isEqualTo(0.0);
        HttpResponse<String> after = gateway.post("/v1/chat/completions", TestGateway.chatBody("circuit", false));
        assertThat(after.headers().firstValue("x-meridian-backend")).contains("flaky");
    }

    private static double circuitState(String backend) {
        String metrics = gateway.get("/metrics").body();
        String prefix = "meridian_circuit_state{backend=\"" + backend + "\",model=\"big\"} ";
        return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
                .findFirst().orElseThrow(() -> new AssertionError("no circuit gauge for " + backend));
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(JSON.readTree(response.body()).at("/error/code").asText()).isEqualTo(code);
        assertThat(response.headers().firstValue("x-request-id")).isPresent();
    }
}
