package ai.meridian.application.port.in;

import ai.meridian.application.port.out.PoolGauge;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An operator (or orchestrator) wants to know whether the gateway is alive and ready for traffic. */
public interface CheckHealthUseCase {

    /**
     * Ready when every model can be served: some tier has a route whose model is ready on its backend with a circuit
     * that is not open, or a static answer; no essential pool is saturated; and the gateway is not shutting down.
     */
    CompletableFuture<Readiness> readiness();

    /**
     * {@code models}: whether each public model can be served now. {@code components}: what else the gateway depends on
     * and how it fares (e.g. shared rate limits); degraded is still ready. {@code pools}: the replica's pools and their
     * load. {@code draining}: the gateway is shutting down and refuses new work.
     */
    record Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models, Map<String, ComponentHealth> components,
                     Map<String, PoolHealth> pools, boolean draining) {
        public Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models) {
            this(ready, backends, models, Map.of(), Map.of(), false);
        }

        public Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models, Map<String, ComponentHealth> components) {
            this(ready, backends, models, components, Map.of(), false);
        }

        public Readiness {
            components = components == null ? Map.of() : components;
            pools = pools == null ? Map.of() : pools;
        }
    }

    record PoolHealth(PoolGauge.Load load, boolean essential) {
    }

    /** A dependency's state ({@code up}, {@code degraded}, {@code down}) and what that means, in words. */
    record ComponentHealth(String status, String detail) {
    }

    /**
     * One backend: whether the server answers its probe, the worst circuit of its models, and each model the routes
     * name on it (its own readiness probe and circuit).
     */
    record BackendHealth(boolean ready, String circuit, Map<String, ModelHealth> models) {
        public BackendHealth(boolean ready, String circuit) {
            this(ready, circuit, Map.of());
        }
    }

    /** One model on one backend: ready by the backend's probe (e.g. Triton's {@code ModelReady}), and its circuit. */
    record ModelHealth(boolean ready, String circuit) {
    }
}
