package ai.meridian.application.port.out;

import ai.meridian.domain.fallback.Failure;

/**
 * One circuit breaker per backend <em>and model</em>: whether to call it now, and what became of each call. A
 * model that fails on a shared server (one Triton serving several models) opens its own circuit only; its
 * neighbours on the same backend keep theirs.
 */
public interface CircuitBreakerPort {

    /** The gate of {@code model} (the name the backend knows it by) on backend {@code backendId}. */
    CircuitGate gate(String backendId, String model);

    /** The gate of a backend as a whole, for callers that do not name a model. */
    default CircuitGate gate(String backendId) {
        return gate(backendId, "");
    }

    /** The gate of one backend's model. Every permitted call ends in exactly one of success, failure or release. */
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

        /**
         * The backend's own readiness probe said it can serve again: an open circuit goes half-open at once, so real
         * traffic tests it now rather than after the rest of the open period (a short outage costs about its own
         * length plus one probe interval, not the whole open period).
         */
        default void markReady() {
        }
    }
}
