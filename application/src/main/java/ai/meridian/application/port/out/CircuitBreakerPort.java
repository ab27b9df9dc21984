package ai.meridian.application.port.out;

import ai.meridian.domain.fallback.Failure;

/** One circuit breaker per backend: whether to call it now, and what became of each call. */
public interface CircuitBreakerPort {

    CircuitGate gate(String backendId);

    /** The gate of one backend. Every permitted call ends in exactly one of success, failure or release. */
    interface CircuitGate {
        /** False when the circuit is open (or half-open and its probes are taken): skip the backend. */
        boolean tryAcquire();

        void onSuccess(long durationNanos);

        void onFailure(long durationNanos, Failure failure);

        /** The call ended without telling anything about the backend (e.g. the client left). */
        void release();

        CircuitState state();

        /** The backend's own readiness probe said it cannot serve: stop sending it traffic (open the circuit). */
        default void markUnready() {
        }
    }
}
