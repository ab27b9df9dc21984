package ai.meridian.domain.routing;

import java.util.Objects;

/** The route chosen and why ("weighted", "canary", "simple", "complex"). */
public record RoutingDecision(Route route, String reason) {

    public RoutingDecision {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(reason, "reason");
    }
}
