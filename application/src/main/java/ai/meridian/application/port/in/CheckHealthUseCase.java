package ai.meridian.application.port.in;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** An operator (or orchestrator) wants to know whether the gateway is alive and ready for traffic. */
public interface CheckHealthUseCase {

    /** Ready when every model can be served: some tier has a ready backend with a closed circuit, or a static answer. */
    CompletableFuture<Readiness> readiness();

    record Readiness(boolean ready, Map<String, BackendHealth> backends, Map<String, Boolean> models) {
    }

    record BackendHealth(boolean ready, String circuit) {
    }
}
