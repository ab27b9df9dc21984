package ai.meridian.application.port.out;

/** The state of a backend's circuit breaker, as metrics and health report it. */
public enum CircuitState {
    CLOSED, OPEN, HALF_OPEN, DISABLED;

    /** Gauge value: 0 closed, 1 open, 2 half-open, 3 disabled. */
    public int gaugeValue() {
        return ordinal();
    }
}
