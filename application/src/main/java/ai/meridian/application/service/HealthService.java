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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Readiness from the backends' own probes and their circuit breakers. */
public final class HealthService implements CheckHealthUseCase {
    private final ModelCatalog catalog;
    private final BackendRegistry backends;
    private final CircuitBreakerPort breakers;
    private final Duration probeTimeout;
    private final Map<String, java.util.function.Supplier<ComponentHealth>> components = new java.util.concurrent.ConcurrentSkipListMap<>();

    public HealthService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, Duration probeTimeout) {
        this.catalog = catalog;
        this.backends = backends;
        this.breakers = breakers;
        this.probeTimeout = probeTimeout;
    }

    /** Adds a dependency to readiness (shown, not deciding readiness: the gateway degrades instead of stopping). */
    public void component(String name, java.util.function.Supplier<ComponentHealth> health) {
        components.put(name, health);
    }

    /**
     * Probes every backend every {@code interval}; a backend that says it is not ready has its circuit
     * opened, so requests move to the next tier at once instead of waiting for a timeout.
     */
    public void probePeriodically(ScheduledExecutorService scheduler, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            return;
        }
        scheduler.scheduleWithFixedDelay(this::probeOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round of probes; not-ready backends are cut off through their circuit breaker. */
    public CompletableFuture<Void> probeOnce() {
        CompletableFuture<?>[] probes = backends.all().stream().map(backend -> backend.probeReady()
                .completeOnTimeout(false, probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> false)
                .thenAccept(ready -> {
                    if (!ready) {
                        breakers.gate(backend.id()).markUnready();
                    }
                })).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(probes);
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
            Map<String, ComponentHealth> parts = new LinkedHashMap<>();
            components.forEach((name, supplier) -> parts.put(name, supplier.get()));
            return new Readiness(ready, health, models, parts);
        });
    }
}
