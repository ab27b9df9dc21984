package ai.meridian.domain.routing;

/** Where one share of a model's traffic goes: a configured backend, the model name it knows, a weight. */
public record Route(String backend, String upstreamModel, int weight) {

    public Route {
        if (backend == null || backend.isBlank()) {
            throw new IllegalArgumentException("a route needs a backend");
        }
        if (upstreamModel == null || upstreamModel.isBlank()) {
            throw new IllegalArgumentException("route to " + backend + " needs an upstream model name");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("route weight must not be negative: " + weight);
        }
    }
}
