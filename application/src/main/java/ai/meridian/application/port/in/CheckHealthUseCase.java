package ai.meridian.application.port.in;

import ai.meridian.application.port.out.PoolGauge;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An operator (or orchestrator) wants to know whether the gateway is alive and ready for traffic. */
public interface CheckHealthUseCase {

    /**
     * Ready when every model can be served (some tier has a ready backend with a closed circuit, or a static
     * answer), no essential pool is saturated, and the gateway is not shutting down.
     */
    CompletableFuture<Readiness> readiness();

    /** {@code draining}: the gateway is shutting down and refuses new work. */
    record Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models,
                     Map<String, PoolHealth> pools, boolean draining) {
    }

    record PoolHealth(PoolGauge.Load load, boolean essential) {
    }

    record BackendHealth(boolean ready, String circuit) {
    }
}
