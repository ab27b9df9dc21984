package ai.meridian.application.service;

import ai.meridian.application.port.in.CheckHealthUseCase;
import ai.meridian.application.port.out.CircuitBreakerPort;
import ai.meridian.application.port.out.CircuitState;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.application.port.out.PoolGauge;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Readiness from the backends' own probes, per model, and the circuit breakers of each model on each backend.
 * Probes also steer the breakers: a model its backend says is not ready has its circuit opened (requests move
 * on at once instead of waiting for a timeout), and one it says is ready again has an open circuit ended early,
 * so a short outage costs about its own length plus one probe of open circuits, not the breaker's whole wait.
 */
public final class HealthService implements CheckHealthUseCase {
    private final ModelCatalog catalog;
    private final BackendRegistry backends;
    private final CircuitBreakerPort breakers;
    private final Duration probeTimeout;
    /** Every (backend, model) pair some route names, in catalog order. */
    private final List<Route> pairs;
    private final List<PoolGauge> pools;
    private volatile boolean draining;
    private final Map<String, java.util.function.Supplier<ComponentHealth>> components = new java.util.concurrent.ConcurrentSkipListMap<>();

    public HealthService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, Duration probeTimeout) {
        this(catalog, backends, breakers, probeTimeout, List.of());
    }

    public HealthService(ModelCatalog catalog, BackendRegistry backends, CircuitBreakerPort breakers, Duration probeTimeout,
                         List<PoolGauge> pools) {
        this.pools = List.copyOf(pools);
        this.catalog = catalog;
        this.backends = backends;
        this.breakers = breakers;
        this.probeTimeout = probeTimeout;
        Set<List<String>> seen = new LinkedHashSet<>();
        List<Route> distinct = new ArrayList<>();
        for (ModelDefinition model : catalog.models()) {
            BackendRegistry.routesOf(model).forEach(route -> {
                if (seen.add(List.of(route.backend(), route.upstreamModel())) && backends.find(route.backend()).isPresent()) {
                    distinct.add(route);
                }
            });
        }
        this.pairs = List.copyOf(distinct);
    }

    /** From now on readiness says no: the gateway is shutting down, so load balancers stop sending it work. */
    public void markDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Adds a dependency to readiness (shown, not deciding readiness: the gateway degrades instead of stopping). */
    public void component(String name, java.util.function.Supplier<ComponentHealth> health) {
        components.put(name, health);
    }

    /**
     * Probes every model of every backend every {@code interval}; and, every {@code openInterval} (when positive),
     * only the models whose circuit is open on a backend with a real probe, so that they come back soon after
     * their backend does.
     */
    public void probePeriodically(ScheduledExecutorService scheduler, Duration interval, Duration openInterval) {
        if (!interval.isZero() && !interval.isNegative()) {
            scheduler.scheduleWithFixedDelay(this::probeOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!openInterval.isZero() && !openInterval.isNegative()) {
            scheduler.scheduleWithFixedDelay(this::probeOpenCircuits, openInterval.toMillis(), openInterval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    public void probePeriodically(ScheduledExecutorService scheduler, Duration interval) {
        probePeriodically(scheduler, interval, Duration.ZERO);
    }

    /** One round of probes over every (backend, model) pair; the answers steer the circuits. */
    public CompletableFuture<Void> probeOnce() {
        return probe(pairs);
    }

    /** Probes only the pairs whose circuit is open (and whose backend has a real probe that could end it). */
    public CompletableFuture<Void> probeOpenCircuits() {
        List<Route> open = pairs.stream().filter(r -> backends.get(r.backend()).hasReadinessProbe()
                && breakers.gate(r.backend(), r.upstreamModel()).state() == CircuitState.OPEN).toList();
        return open.isEmpty() ? CompletableFuture.completedFuture(null) : probe(open);
    }

    private CompletableFuture<Void> probe(List<Route> routes) {
        CompletableFuture<?>[] probes = routes.stream().map(route -> {
            ModelBackend backend = backends.get(route.backend());
            return bounded(backend.probeReady(route.upstreamModel())).thenAccept(ready -> steer(backend, route.upstreamModel(), ready));
        }).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(probes);
    }

    private void steer(ModelBackend backend, String model, boolean ready) {
        CircuitBreakerPort.CircuitGate gate = breakers.gate(backend.id(), model);
        if (!ready) {
            gate.markUnready();
        } else if (backend.hasReadinessProbe()) {
            gate.markReady();
        }
    }

    private CompletableFuture<Boolean> bounded(CompletableFuture<Boolean> probe) {
        return probe.completeOnTimeout(false, probeTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> false);
    }

    @Override
    public CompletableFuture<Readiness> readiness() {
        Map<String, CompletableFuture<Boolean>> servers = new LinkedHashMap<>();
        for (ModelBackend backend : backends.all()) {
            servers.put(backend.id(), bounded(backend.probeReady()));
        }
        Map<Route, CompletableFuture<Boolean>> models = new LinkedHashMap<>();
        for (Route pair : pairs) {
            models.put(pair, bounded(backends.get(pair.backend()).probeReady(pair.upstreamModel())));
        }
        List<CompletableFuture<Boolean>> all = new ArrayList<>(servers.values());
        all.addAll(models.values());
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Map<String, ModelHealth>> perBackend = new LinkedHashMap<>();
            Map<List<String>, Boolean> routeReady = new LinkedHashMap<>();
            models.forEach((pair, probe) -> {
                CircuitState circuit = breakers.gate(pair.backend(), pair.upstreamModel()).state();
                boolean ready = probe.join() && circuit != CircuitState.OPEN;
                perBackend.computeIfAbsent(pair.backend(), b -> new LinkedHashMap<>())
                        .put(pair.upstreamModel(), new ModelHealth(probe.join(), name(circuit)));
                routeReady.put(List.of(pair.backend(), pair.upstreamModel()), ready);
            });
            Map<String, BackendHealth> health = new LinkedHashMap<>();
            servers.forEach((id, probe) -> {
                Map<String, ModelHealth> own = perBackend.getOrDefault(id, Map.of());
                CircuitState worst = own.isEmpty() ? breakers.gate(id).state() : own.values().stream()
                        .map(m -> CircuitState.valueOf(m.circuit().toUpperCase())).reduce(CircuitState.DISABLED, HealthService::worse);
                boolean anyModelUsable = own.isEmpty() || own.values().stream().anyMatch(m -> m.ready() && !m.circuit().equals("open"));
                health.put(id, new BackendHealth(probe.join() && anyModelUsable, name(worst), own));
            });
            Map<String, Boolean> servable = new LinkedHashMap<>();
            boolean ready = true;
            for (ModelDefinition model : catalog.models()) {
                // A route's own probe covers its server too: a backend whose default model is broken still serves the others.
                boolean canServe = model.plan().staticAnswer().isPresent() || BackendRegistry.routesOf(model)
                        .anyMatch(r -> routeReady.getOrDefault(List.of(r.backend(), r.upstreamModel()), false));
                servable.put(model.id(), canServe);
                ready &= canServe;
            }
            Map<String, PoolHealth> loads = new LinkedHashMap<>();
            for (PoolGauge pool : pools) {
                PoolGauge.Load load = pool.load();
                loads.put(pool.name(), new PoolHealth(load, pool.essential()));
                ready &= !(pool.essential() && load.saturated());
            }
            Map<String, ComponentHealth> parts = new LinkedHashMap<>();
            components.forEach((name, supplier) -> parts.put(name, supplier.get()));
            return new Readiness(ready && !draining, health, servable, parts, loads, draining);
        });
    }

    private static String name(CircuitState state) {
        return state.name().toLowerCase();
    }

    /** The state that says more about trouble: open, then half-open, then closed, then disabled. */
    private static CircuitState worse(CircuitState a, CircuitState b) {
        return rank(a) >= rank(b) ? a : b;
    }

    private static int rank(CircuitState state) {
        return switch (state) {
            case OPEN -> 3;
            case HALF_OPEN -> 2;
            case CLOSED -> 1;
            case DISABLED -> 0;
        };
    }
}
