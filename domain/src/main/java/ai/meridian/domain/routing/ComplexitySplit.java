package ai.meridian.domain.routing;

import java.util.Objects;

/** Sends prompts the rule calls simple to a (smaller, cheaper) set of routes. */
public record ComplexitySplit(ComplexityRule rule, Routes simpleRoutes) {

    public ComplexitySplit {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(simpleRoutes, "simpleRoutes");
    }
}
