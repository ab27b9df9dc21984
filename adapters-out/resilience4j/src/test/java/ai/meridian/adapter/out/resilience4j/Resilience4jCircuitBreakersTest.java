package ai.meridian.adapter.out.resilience4j;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.CircuitBreakerPort.CircuitGate;
import ai.meridian.application.port.out.CircuitState;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Resilience4jCircuitBreakersTest {
    private static final Failure BOOM = Failure.of(FailureKind.SERVER_ERROR, "500");

    private static Resilience4jCircuitBreakers breakers(CircuitBreakerSettings settings) {
        return new Resilience4jCircuitBreakers(id -> settings);
    }

    @Test
    void opensAfterTheFailureRateThenProbesHalfOpenAndCloses() throws InterruptedException {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 4, 4, Duration.ofMillis(200), 2)).gate("b");
        for (int i = 0; i < 4; i++) {
            assertThat(gate.tryAcquire()).isTrue();
            gate.onFailure(1_000, BOOM);
        }
        assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
        assertThat(gate.tryAcquire()).as("open: calls are refused").isFalse();

        Thread.sleep(400);
        assertThat(gate.state()).as("half-open on its own after the wait").isEqualTo(CircuitState.HALF_OPEN);
        assertThat(gate.tryAcquire()).as("a probe goes through").isTrue();
        gate.onSuccess(1_000);
        assertThat(gate.tryAcquire()).isTrue();
        gate.onSuccess(1_000);
        assertThat(gate.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void aFailedProbeOpensAgain() throws InterruptedException {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 2, 2, Duration.ofMillis(100), 1)).gate("b");
        gate.tryAcquire();
        gate.onFailure(1, BOOM);
        gate.tryAcquire();
        gate.onFailure(1, BOOM);
        Thread.sleep(150);
        assertThat(gate.tryAcquire()).isTrue();
        gate.onFailure(1, BOOM);
        assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
    }

    @Test
    void releasedPermitsDoNotCount() {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 2, 2, Duration.ofSeconds(5), 1)).gate("b");
        for (int i = 0; i < 10; i++) {
            assertThat(gate.tryAcquire()).isTrue();
            gate.release();
        }
        assertThat(gate.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void anUnreadyBackendIsCutOffAtOnceAndProbedAfterTheWait() throws InterruptedException {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 10, 20, Duration.ofMillis(200), 1)).gate("b");
        gate.markUnready();
        assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
        assertThat(gate.tryAcquire()).isFalse();
        Thread.sleep(400);
        assertThat(gate.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(gate.tryAcquire()).isTrue();
        gate.onSuccess(1);
        assertThat(gate.state()).isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void aDisabledBreakerNeverOpens() {
        CircuitGate gate = breakers(new CircuitBreakerSettings(false, 50f, 1, 1, Duration.ofSeconds(5), 1)).gate("b");
        for (int i = 0; i < 10; i++) {
            gate.tryAcquire();
            gate.onFailure(1, BOOM);
        }
        assertThat(gate.tryAcquire()).isTrue();
        assertThat(gate.state()).isEqualTo(CircuitState.DISABLED);
    }

    @Test
    void eachBackendHasItsOwnBreaker() {
        Resilience4jCircuitBreakers breakers = breakers(new CircuitBreakerSettings(true, 50f, 1, 1, Duration.ofSeconds(5), 1));
        breakers.gate("a").tryAcquire();
        breakers.gate("a").onFailure(1, BOOM);
        assertThat(breakers.gate("a").state()).isEqualTo(CircuitState.OPEN);
        assertThat(breakers.gate("b").state()).isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.gate("a")).isSameAs(breakers.gate("a"));
    }

    @Test
    void eachModelOfABackendHasItsOwnBreaker() {
        Resilience4jCircuitBreakers breakers = breakers(new CircuitBreakerSettings(true, 50f, 1, 1, Duration.ofSeconds(5), 1));
        CircuitGate broken = breakers.gate("triton", "broken-model");
        broken.tryAcquire();
        broken.onFailure(1, BOOM);
        assertThat(broken.state()).isEqualTo(CircuitState.OPEN);
        assertThat(breakers.gate("triton", "trt-llama").state()).as("a neighbour on the same server").isEqualTo(CircuitState.CLOSED);
        assertThat(breakers.gate("triton", "trt-llama").tryAcquire()).isTrue();
        assertThat(breakers.gate("triton", "broken-model")).isSameAs(broken);
    }

    @Test
    void aReadyProbeEndsTheOpenPeriodAtOnce() {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 2, 2, Duration.ofSeconds(30), 1)).gate("b", "m");
        gate.tryAcquire();
        gate.onFailure(1, BOOM);
        gate.tryAcquire();
        gate.onFailure(1, BOOM);
        assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
        gate.markReady();
        assertThat(gate.state()).as("no 30 s wait once the backend answers its probe").isEqualTo(CircuitState.HALF_OPEN);
        assertThat(gate.tryAcquire()).isTrue();
        gate.onSuccess(1);
        assertThat(gate.state()).isEqualTo(CircuitState.CLOSED);
        gate.markReady();
        assertThat(gate.state()).as("a closed circuit stays closed").isEqualTo(CircuitState.CLOSED);
    }

    @Test
    void aModelThatSaysReadyButFailsWaitsTheWholeOpenPeriodAfterOneEarlyEnd() {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 1, 1, Duration.ofSeconds(30), 1)).gate("b", "m");
        gate.tryAcquire();
        gate.onFailure(1, BOOM);
        gate.markReady();
        assertThat(gate.state()).isEqualTo(CircuitState.HALF_OPEN);
        assertThat(gate.tryAcquire()).isTrue();
        gate.onFailure(1, BOOM);
        assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
        gate.markReady();
        assertThat(gate.state()).as("serving fails although the probe says ready: no second early end").isEqualTo(CircuitState.OPEN);
    }

    @Test
    void aCircuitAFailedProbeOpenedEndsWithTheNextGoodProbe() {
        CircuitGate gate = breakers(new CircuitBreakerSettings(true, 50f, 10, 20, Duration.ofSeconds(30), 1)).gate("b", "m");
        for (int round = 0; round < 3; round++) {
            gate.markUnready();
            assertThat(gate.state()).isEqualTo(CircuitState.OPEN);
            gate.markReady();
            assertThat(gate.state()).as("round %d", round).isEqualTo(CircuitState.HALF_OPEN);
            assertThat(gate.tryAcquire()).isTrue();
            gate.onSuccess(1);
            assertThat(gate.state()).isEqualTo(CircuitState.CLOSED);
        }
    }

    @Test
    void settingsAreReadFromTheBackendConfiguration() {
        BackendSettings backend = new BackendSettings("b", "openai", Map.of(
                "circuit-breaker.failure-rate-threshold", "25", "circuit-breaker.wait-in-open", "5s", "circuit-breaker.minimum-calls", "3"));
        CircuitBreakerSettings settings = CircuitBreakerSettings.of(backend);
        assertThat(settings.failureRateThreshold()).isEqualTo(25f);
        assertThat(settings.waitInOpen()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.minimumCalls()).isEqualTo(3);
        assertThat(settings.slidingWindowSize()).isEqualTo(CircuitBreakerSettings.DEFAULTS.slidingWindowSize());
    }
}
