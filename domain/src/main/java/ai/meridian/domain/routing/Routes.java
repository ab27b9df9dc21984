package ai.meridian.domain.routing;

import java.util.List;
import java.util.random.RandomGenerator;

/** A non-empty set of weighted routes; picks one in proportion to the weights. */
public record Routes(List<Route> routes) {

    public Routes {
        if (routes == null || routes.isEmpty()) {
            throw new IllegalArgumentException("at least one route is required");
        }
        routes = List.copyOf(routes);
        if (routes.stream().mapToInt(Route::weight).sum() <= 0) {
            throw new IllegalArgumentException("route weights must add up to more than zero");
        }
    }

    public static Routes of(Route... routes) {
        return new Routes(List.of(routes));
    }

    /** A route among those {@code check} accepts, in proportion to their weights; empty when it accepts none. */
    public java.util.Optional<Route> pick(RandomGenerator random, RouteCheck check) {
        if (check == RouteCheck.ANY) {
            return java.util.Optional.of(pick(random));
        }
        List<Route> eligible = routes.stream().filter(r -> check.shortfall(r).isEmpty()).toList();
        if (eligible.isEmpty() || eligible.stream().mapToInt(Route::weight).sum() <= 0) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(eligible.size() == routes.size() ? pick(random) : new Routes(eligible).pick(random));
    }

    public Route pick(RandomGenerator random) {
        if (routes.size() == 1) {
            return routes.get(0);
        }
        int total = routes.stream().mapToInt(Route::weight).sum();
        int ticket = random.nextInt(total);
        for (Route route : routes) {
            ticket -= route.weight();
            if (ticket < 0) {
                return route;
            }
        }
        throw new IllegalStateException("weights changed while picking");
    }
}
