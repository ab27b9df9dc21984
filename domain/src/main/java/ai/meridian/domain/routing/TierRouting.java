package ai.meridian.domain.routing;

import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How one tier picks its route. The canary split is consulted first (stable per caller), then the
 * complexity split, then the weighted default routes.
 */
public record TierRouting(Routes routes, Optional<ComplexitySplit> complexity, Optional<CanarySplit> canary) {

    public TierRouting {
        Objects.requireNonNull(routes, "routes");
        complexity = complexity == null ? Optional.empty() : complexity;
        canary = canary == null ? Optional.empty() : canary;
    }

    public static TierRouting weighted(Routes routes) {
        return new TierRouting(routes, Optional.empty(), Optional.empty());
    }

    /** The route for this request, or empty when no route of the tier can serve it (see {@link #shortfall}). */
    public Optional<RoutingDecision> choose(RoutingInput input, RandomGenerator random) {
        RouteCheck check = input.check();
        if (canary.isPresent() && canary.get().includes(input.modelId(), input.callerKey())) {
            Optional<Route> route = canary.get().routes().pick(random, check);
            if (route.isPresent()) {
                return Optional.of(new RoutingDecision(route.get(), "canary"));
            }
        }
        if (complexity.isPresent()) {
            ComplexitySplit split = complexity.get();
            if (split.rule().classify(input.messages()) == Complexity.SIMPLE) {
                Optional<Route> route = split.simpleRoutes().pick(random, check);
                if (route.isPresent()) {
                    return Optional.of(new RoutingDecision(route.get(), "simple"));
                }
            }
            return routes.pick(random, check).map(r -> new RoutingDecision(r, "complex"));
        }
        return routes.pick(random, check).map(r -> new RoutingDecision(r, "weighted"));
    }

    /** Why the tier's default routes cannot serve the request (the first reason found), or empty when one can. */
    public Optional<Shortfall> shortfall(RoutingInput input) {
        Shortfall first = null;
        for (Route route : routes.routes()) {
            Optional<Shortfall> s = input.check().shortfall(route);
            if (s.isEmpty()) {
                return Optional.empty();
            }
            if (first == null) {
                first = s.get();
            }
        }
        return Optional.ofNullable(first);
    }
}
