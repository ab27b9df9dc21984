package ai.meridian.application.service;

import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCatalog;
import ai.meridian.domain.routing.ModelDefinition;
import ai.meridian.domain.routing.Route;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The configured backends by id; checks at start-up that every route names one. */
public final class BackendRegistry implements AutoCloseable {
    private final Map<String, ModelBackend> byId = new LinkedHashMap<>();

    public BackendRegistry(Collection<ModelBackend> backends) {
        for (ModelBackend backend : backends) {
            if (byId.putIfAbsent(backend.id(), backend) != null) {
                throw new IllegalArgumentException("backend declared twice: " + backend.id());
            }
        }
    }

    public Optional<ModelBackend> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public ModelBackend get(String id) {
        ModelBackend backend = byId.get(id);
        if (backend == null) {
            throw new IllegalStateException("no backend " + id);
        }
        return backend;
    }

    /** What the model a route names can do on its backend. */
    public ModelCapabilities capabilities(Route route) {
        ModelBackend backend = byId.get(route.backend());
        return backend == null ? ModelCapabilities.UNKNOWN : backend.capabilities(route.upstreamModel());
    }

    public Collection<ModelBackend> all() {
        return byId.values();
    }

    /** Fails naming every route whose backend is not configured. */
    public void verifyCovers(ModelCatalog catalog) {
        List<String> missing = new ArrayList<>();
        for (ModelDefinition model : catalog.models()) {
            routesOf(model).filter(r -> !byId.containsKey(r.backend()))
                    .forEach(r -> missing.add("model " + model.id() + " routes to unknown backend '" + r.backend() + "'"));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", missing) + " (configured backends: " + byId.keySet() + ")");
        }
    }

    /** Every route a model may take, in any tier, split or canary. */
    public static Stream<Route> routesOf(ModelDefinition model) {
        return model.plan().tiers().stream().map(Tier::routing).flatMap(routing -> Stream.concat(
                routing.routes().routes().stream(),
                Stream.concat(
                        routing.complexity().stream().flatMap(c -> c.simpleRoutes().routes().stream()),
                        routing.canary().stream().flatMap(c -> c.routes().routes().stream()))));
    }

    @Override
    public void close() {
        byId.values().forEach(ModelBackend::close);
    }
}
