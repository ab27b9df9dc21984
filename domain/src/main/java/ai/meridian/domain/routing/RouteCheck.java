package ai.meridian.domain.routing;

import java.util.Optional;

/** Says whether a route can serve the request at hand, and if not, why. */
@FunctionalInterface
public interface RouteCheck {
    RouteCheck ANY = route -> Optional.empty();

    /** Why {@code route} cannot serve the request, or empty when it can. */
    Optional<Shortfall> shortfall(Route route);
}
