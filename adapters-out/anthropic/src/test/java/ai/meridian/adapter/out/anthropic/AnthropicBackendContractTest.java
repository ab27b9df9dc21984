package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.testkit.FakeAnthropicUpstream;
import ai.meridian.testkit.ModelBackendContract;
import ai.meridian.testkit.UpstreamBehavior;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Messages-API adapter against a real HTTP server speaking Anthropic's wire format on loopback. "Unavailable" is
 * Anthropic's own: 529 {@code overloaded_error}.
 */
class AnthropicBackendContractTest extends ModelBackendContract {
    private static FakeAnthropicUpstream upstream;
    private static AnthropicBackendFactory factory;
    private static ModelBackend backend;

    @BeforeAll
    static void start() {
        upstream = FakeAnthropicUpstream.start();
        factory = new AnthropicBackendFactory();
        backend = factory.create(settings("contract", upstream.baseUrl(), Map.of()));
    }

    @AfterAll
    static void stop() {
        backend.close();
        factory.close();
        upstream.close();
    }

    static BackendSettings settings(String id, String baseUrl, Map<String, String> more) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "base-url", baseUrl,
                "api-key", "sk-ant-test",
                "connect-timeout", "1s",
                "first-token-timeout", FIRST_TOKEN_TIMEOUT.toMillis() + "ms",
                "read-timeout", READ_TIMEOUT.toMillis() + "ms",
                "total-timeout", TOTAL_TIMEOUT.toMillis() + "ms"));
        properties.putAll(more);
        return new BackendSettings(id, "anthropic", properties);
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
        return factory.create(settings("unreachable", "http://127.0.0.1:" + freePort, Map.of()));
    }

    @Override
    protected void next(Scenario scenario) {
        UpstreamBehavior behavior;
        if (scenario instanceof Scenario.Answer a) {
            behavior = UpstreamBehavior.answer(a.pieces().toArray(String[]::new));
        } else if (scenario instanceof Scenario.AnswerWithPause a) {
            behavior = UpstreamBehavior.answer(a.pieces().toArray(String[]::new)).withPauseBeforeLast(a.pauseBeforeLast());
        } else if (scenario instanceof Scenario.Unavailable) {
            behavior = UpstreamBehavior.status(529, "Overloaded");
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
