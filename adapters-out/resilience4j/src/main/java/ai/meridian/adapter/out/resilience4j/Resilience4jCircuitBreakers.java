package ai.meridian.adapter.out.resilience4j;

import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.CircuitState;
import ai.meridian.domain.fallback.Failure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A resilience4j circuit breaker per backend and model (settings per backend), with half-open probing after the
 * open period. Open breakers turn half-open on their own when the wait is over, so readiness recovers without
 * traffic, and at once when the backend's own readiness probe says the model is ready again.
 */
public final class Resilience4jCircuitBreakers implements CircuitBreakerPort {
    private final Map<Key, CircuitGate> gates = new ConcurrentHashMap<>();
    private final Function<String, CircuitBreakerSettings> settingsOf;

    public Resilience4jCircuitBreakers(Function<String, CircuitBreakerSettings> settingsOf) {
        this.settingsOf = settingsOf;
    }

    private record Key(String backend, String model) {
    }

    @Override
    public CircuitGate gate(String backendId, String model) {
        Key key = new Key(backendId, model == null ? "" : model);
        CircuitGate known = gates.get(key);
        return known != null ? known : gates.computeIfAbsent(key, this::create);
    }

    private CircuitGate create(Key key) {
        CircuitBreakerSettings s = settingsOf.apply(key.backend());
        if (!s.enabled()) {
            return AlwaysClosed.INSTANCE;
        }
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(s.failureRateThreshold())
                .minimumNumberOfCalls(s.minimumCalls())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(s.slidingWindowSize())
                .waitDurationInOpenState(s.waitInOpen())
                .permittedNumberOfCallsInHalfOpenState(s.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .writableStackTraceEnabled(false)
                .build();
        return new Gate(CircuitBreaker.of(key.model().isEmpty() ? key.backend() : key.backend() + "/" + key.model(), config));
    }

    private static final class Gate implements CircuitGate {
        private final CircuitBreaker breaker;
        /** The circuit was opened by a failed readiness probe: the next good probe ends it. */
        private volatile boolean openedByProbe;
        /**
         * A good probe already ended an open period that failing calls had started, and calls failed again since:
         * the probe says ready but serving fails (a broken model that reports ready), so the full wait applies
         * until the circuit has closed once more.
         */
        private volatile boolean endedEarly;

        Gate(CircuitBreaker breaker) {
            this.breaker = breaker;
            breaker.getEventPublisher().onStateTransition(event -> {
                if (event.getStateTransition().getToState() == CircuitBreaker.State.CLOSED) {
                    endedEarly = false;
                }
            });
        }

        @Override
        public boolean tryAcquire() {
            return breaker.tryAcquirePermission();
        }

        @Override
        public void onSuccess(long durationNanos) {
            breaker.onSuccess(durationNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onFailure(long durationNanos, Failure failure) {
            breaker.onError(durationNanos, TimeUnit.NANOSECONDS, new BackendFailed(failure));
        }

        @Override
        public void release() {
            breaker.releasePermission();
        }

        @Override
        public void markUnready() {
            CircuitBreaker.State state = breaker.getState();
            if (state == CircuitBreaker.State.CLOSED || state == CircuitBreaker.State.HALF_OPEN) {
                breaker.transitionToOpenState(); // a good probe, or half-open probing after the wait, brings it back
                openedByProbe = true;
            }
        }

        @Override
        public void markReady() {
            if (breaker.getState() != CircuitBreaker.State.OPEN) {
                return;
            }
            if (openedByProbe || !endedEarly) {
                endedEarly = !openedByProbe;
                openedByProbe = false;
                try {
                    breaker.transitionToHalfOpenState(); // real calls decide now; a failing one opens it again
                } catch (IllegalStateException raced) {
                    // it turned half-open on its own meanwhile
                }
            }
        }

        @Override
        public CircuitState state() {
            switch (breaker.getState()) {
                case OPEN:
                case FORCED_OPEN:
                    return CircuitState.OPEN;
                case HALF_OPEN:
                    return CircuitState.HALF_OPEN;
                case DISABLED:
                    return CircuitState.DISABLED;
                default:
                    return CircuitState.CLOSED;
            }
        }
    }

    private enum AlwaysClosed implements CircuitGate {
        INSTANCE;

        @Override
        public boolean tryAcquire() {
            return true;
        }

        @Override
        public void onSuccess(long durationNanos) {
        }

        @Override
        public void onFailure(long durationNanos, Failure failure) {
        }

        @Override
        public void release() {
        }

        @Override
        public CircuitState state() {
            return CircuitState.DISABLED;
        }
    }

    /** What resilience4j records as the error; no stack trace, failures here are expected. */
    private static final class BackendFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BackendFailed(Failure failure) {
            super(failure.kind() + ": " + failure.message(), null, false, false);
        }
    }
}
