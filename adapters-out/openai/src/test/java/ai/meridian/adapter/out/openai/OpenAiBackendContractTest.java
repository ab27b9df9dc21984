package ai.meridian.adapter.out.openai;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.testkit.FakeOpenAiUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.UpstreamBehavior;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The OpenAI-compatible adapter against a real HTTP/SSE server on loopback. */
class OpenAiBackendContractTest extends ModelBackendContract {
    private static FakeOpenAiUpstream upstream;
    private static OpenAiBackendFactory factory;
    private static ModelBackend backend;

    @BeforeAll
    static void start() {
        upstream = FakeOpenAiUpstream.start();
        factory = new OpenAiBackendFactory();
        backend = factory.create(settings("contract", upstream.baseUrl()));
    }

    @AfterAll
    static void stop() {
        backend.close();
        factory.close();
        upstream.close();
    }

    static BackendSettings settings(String id, String baseUrl) {
        return new BackendSettings(id, "openai", Map.of(
                "base-url", baseUrl,
                "api-key", "sk-test",
                "connect-timeout", "1s",
                "first-token-timeout", FIRST_TOKEN_TIMEOUT.toMillis() + "ms",
                "read-timeout", READ_TIMEOUT.toMillis() + "ms",
                "total-timeout", TOTAL_TIMEOUT.toMillis() + "ms"));
    }

    @Override
    protected ModelBackend backend() {
        return backend;
    }

    @Override
    protected ModelBackend unreachableBackend() {
        int freePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            freePort = socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return factory.create(settings("unreachable", "http://127.0.0.1:" + freePort + "/v1"));
    }

    @Override
    protected void next(Scenario scenario) {
        UpstreamBehavior behavior;
        if (scenario instanceof Scenario.Answer a) {
            behavior = UpstreamBehavior.answer(a.pieces().toArray(String[]::new));
        } else if (scenario instanceof Scenario.AnswerWithPause a) {
            behavior = UpstreamBehavior.answer(a.pieces().toArray(String[]::new)).withPauseBeforeLast(a.pauseBeforeLast());
        } else if (scenario instanceof Scenario.Unavailable) {
            behavior = UpstreamBehavior.status(503, "overloaded");
        } else if (scenario instanceof Scenario.RateLimited) {
            behavior = UpstreamBehavior.status(429, "slow down").withRetryAfter(Duration.ofSeconds(2));
        } else if (scenario instanceof Scenario.InvalidRequest r) {
            behavior = UpstreamBehavior.status(400, r.message());
        } else if (scenario instanceof Scenario.SlowFirstToken s) {
            behavior = UpstreamBehavior.answer("late").withFirstDelay(s.delay());
        } else if (scenario instanceof Scenario.CutMidStream c) {
            behavior = UpstreamBehavior.answer(c.pieces().toArray(String[]::new)).cutAfter(c.afterPieces());
        } else {
            behavior = UpstreamBehavior.hangs();
        }
        upstream.enqueue(behavior);
    }

    @Override
    protected int abandonedCalls() {
        return upstream.clientDisconnects();
    }
}
