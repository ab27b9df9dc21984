package ai.meridian.application.service;

import ai.meridian.application.port.in.CheckHealthUseCase;
import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.CircuitState;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Readiness from the backends' own probes and their circuit breakers. */
public final class HealthService implements CheckHealthUseCase {
    private final ModelCatalog catalog;
    private final BackendRegistry backends;
    private final CircuitBreakerPort breakers;
    private final Duration probeTimeout;

    public HealthService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, Duration probeTimeout) {
        this.catalog = catalog;
        this.backends = backends;
        this.breakers = breakers;
        this.probeTimeout = probeTimeout;
    }

    @Override
    public CompletableFuture<Readiness> readiness() {
        Map<String, CompletableFuture<Boolean>> probes = new LinkedHashMap<>();
        for (ModelBackend backend : backends.all()) {
            probes.put(backend.id(), backend.probeReady()
                    .completeOnTimeout(false, probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> false));
        }
        return CompletableFuture.allOf(probes.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, BackendHealth> health = new LinkedHashMap<>();
            probes.forEach((id, probe) -> {
                CircuitState circuit = breakers.gate(id).state();
                health.put(id, new BackendHealth(probe.join() && circuit != CircuitState.OPEN, circuit.name().toLowerCase()));
            });
            Map<String, Boolean> models = new LinkedHashMap<>();
            boolean ready = true;
            for (ModelDefinition model : catalog.models()) {
                boolean servable = model.plan().staticAnswer().isPresent() || model.plan().tiers().stream()
                        .map(Tier::routing)
                        .anyMatch(routing -> routing.routes().routes().stream().anyMatch(r -> health.get(r.backend()).ready()));
                models.put(model.id(), servable);
                ready &= servable;
            }
            return new Readiness(ready, health, models);
        });
    }
}
