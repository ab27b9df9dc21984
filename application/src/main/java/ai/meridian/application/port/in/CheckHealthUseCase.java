package ai.meridian.application.port.in;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An operator (or orchestrator) wants to know whether the gateway is alive and ready for traffic. */
public interface CheckHealthUseCase {

    /** Ready when every model can be served: some tier has a ready backend with a closed circuit, or a static answer. */
    CompletableFuture<Readiness> readiness();

    /** {@code components}: what else the gateway depends on and how it fares (e.g. shared rate limits); degraded is still ready. */
    record Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models, Map<String, ComponentHealth> components) {
        public Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models) {
            this(ready, backends, models, Map.of());
        }

        public Readiness {
            components = components == null ? Map.of() : components;
        }
    }

    /** A dependency's state ({@code up}, {@code degraded}, {@code down}) and what that means, in words. */
    record ComponentHealth(String status, String detail) {
    }

    record BackendHealth(boolean ready, String circuit) {
    }
}
