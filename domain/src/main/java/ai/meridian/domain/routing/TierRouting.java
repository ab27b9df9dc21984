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

    public RoutingDecision choose(RoutingInput input, RandomGenerator random) {
        if (canary.isPresent() && canary.get().includes(input.modelId(), input.callerKey())) {
            return new RoutingDecision(canary.get().routes().pick(random), "canary");
        }
        if (complexity.isPresent()) {
            ComplexitySplit split = complexity.get();
            if (split.rule().classify(input.messages()) == Complexity.SIMPLE) {
                return new RoutingDecision(split.simpleRoutes().pick(random), "simple");
            }
            return new RoutingDecision(routes.pick(random), "complex");
        }
        return new RoutingDecision(routes.pick(random), "weighted");
    }
}
