package ai.meridian.application.port.out;

import java.util.function.Supplier;

/** The figures operators watch, recorded by the core and exported by an observability adapter. */
public interface GatewayMetrics {

    /** A finished client request. {@code backend} is "none" when no backend answered. */
    void request(RequestOutcome outcome);

    /** One backend attempt; {@code outcome} is "ok" or the failure kind in lower case. */
    void attempt(String backend, String outcome, long durationNanos);

    /** Time from sending a streamed request to its first token. */
    void timeToFirstToken(String model, String backend, long nanos);

    /** A request moved to tier {@code tier} (1 = first fallback) after {@code reason}. */
    void fallback(String model, int tier, String reason);

    /** Registers a live view of the circuit state of one model on one backend. */
    void watchCircuit(String backend, String model, Supplier<CircuitState> state);

    /**
     * A backend failed after the client had begun to receive a streamed answer and {@code toBackend} continued it
     * ({@code style}: prefix or prompt); {@code reason} is the failure kind.
     */
    default void midStreamFallback(String model, String fromBackend, String toBackend, String style, String reason) {
    }

    /** A stream's client went away and the answer went on without it ({@code outcome}: resumed, finished, expired). */
    default void streamDetached(String model, String outcome) {
    }

    /** A client resumed a stream after {@code afterEvent}; {@code outcome}: ok, missing, expired, or lost. */
    default void streamResumed(String outcome, long replayedEvents) {
    }

    /** Something happened to a WebSocket connection: opened, closed, close_&lt;code&gt;, slow_reader. */
    default void webSocket(String event) {
    }

    /**
     * What a tenant spent on a public model (one answered request). Tenants are a label, so an adapter must
     * bound their number (beyond its bound they are counted under one label).
     */
    default void tenantUsage(String tenant, String model, long inputTokens, long outputTokens, long cachedTokens) {
    }

    /** A request refused for a limit ({@code reason}: the error code, e.g. rate_limit_exceeded). */
    default void rateLimited(String tenant, String reason) {
    }

    /** Registers a gauge read when metrics are scraped (e.g. whether rate limits are shared). */
    default void watchGauge(String name, String description, Supplier<Number> value) {
    }

    /** A response cache lookup at a level ({@code l1}, {@code l2}, {@code semantic}): {@code hit}, {@code miss} or {@code error}. */
    default void cacheLookup(String level, String result) {
    }

    /** An answer written to a level of the response cache, of about {@code bytes}. */
    default void cacheWrite(String level, long bytes) {
    }

    /** An entry taken out of a level for {@code cause} (invalidated, purged); size and expiry evictions come from the level's stats. */
    default void cacheEviction(String level, String cause) {
    }

    /** Registers a live view of a response cache level's figures (entries, bytes, evictions by size and expiry). */
    default void watchCacheLevel(String level, Supplier<ResponseCachePort.LevelStats> stats) {
    }

    /** A request the response cache did not serve or keep, and why (requested, not_deterministic, disabled, ...). */
    default void cacheBypass(String reason) {
    }

    record RequestOutcome(String model, String backend, int status, boolean stream, int tier,
                          long durationNanos, long overheadNanos, int promptTokens, int completionTokens) {
    }

    GatewayMetrics NOOP = new GatewayMetrics() {
        @Override
        public void request(RequestOutcome outcome) {
        }

        @Override
        public void attempt(String backend, String outcome, long durationNanos) {
        }

        @Override
        public void timeToFirstToken(String model, String backend, long nanos) {
        }

        @Override
        public void fallback(String model, int tier, String reason) {
        }

        @Override
        public void watchCircuit(String backend, String model, Supplier<CircuitState> state) {
        }
    };
}
