package ai.meridian.application.service;

import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.CircuitState;
import ai.meridian.domain.fallback.Failure;
import java.util.HashMap;
import java.util.Map;

/** Breakers for service tests: open only when a test opens them; they count outcomes. */
class CountingBreakers implements CircuitBreakerPort {
    final Map<String, Gate> gates = new HashMap<>();

    @Override
    public synchronized Gate gate(String backendId, String model) {
        return gates.computeIfAbsent(backendId, id -> new Gate()); // one per backend: service tests name backends only
    }

    @Override
    public synchronized Gate gate(String backendId) {
        return gate(backendId, "");
    }

    static final class Gate implements CircuitGate {
        boolean open;
        int successes;
        int failures;
        int releases;
        int unready;
        int readied;

        @Override
        public void markReady() {
            readied++;
            open = false;
        }

        @Override
        public void markUnready() {
            unready++;
            open = true;
        }

        @Override
        public boolean tryAcquire() {
            return !open;
        }

        @Override
        public void onSuccess(long durationNanos) {
            successes++;
        }

        @Override
        public void onFailure(long durationNanos, Failure failure) {
            failures++;
        }

        @Override
        public void release() {
            releases++;
        }

        @Override
        public CircuitState state() {
            return open ? CircuitState.OPEN : CircuitState.CLOSED;
        }
    }
}
