package ai.meridian.adapter.out.triton;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** The endpoints of one backend, taken in turn; down endpoints are skipped while another is up. */
final class EndpointPool implements AutoCloseable {
    private final List<EndpointChannel> endpoints;
    private final AtomicInteger turn = new AtomicInteger();

    EndpointPool(List<EndpointChannel> endpoints) {
        this.endpoints = List.copyOf(endpoints);
    }

    List<EndpointChannel> all() {
        return endpoints;
    }

    /**
     * The next endpoint in turn that is up and not yet tried. When none is up, the next untried one
     * anyway, unless {@code upOnly}: it may have recovered, and failing without trying helps nobody.
     * Null when every endpoint has been tried (or, with {@code upOnly}, none untried is up).
     */
    EndpointChannel next(Collection<EndpointChannel> tried, boolean upOnly) {
        int n = endpoints.size();
        int start = Math.floorMod(turn.getAndIncrement(), n);
        long now = System.nanoTime();
        EndpointChannel fallback = null;
        for (int i = 0; i < n; i++) {
            EndpointChannel candidate = endpoints.get((start + i) % n);
            if (tried.contains(candidate)) {
                continue;
            }
            if (candidate.isUp(now)) {
                return candidate;
            }
            if (fallback == null) {
                fallback = candidate;
            }
        }
        return upOnly ? null : fallback;
    }

    @Override
    public void close() {
        endpoints.forEach(EndpointChannel::close);
    }
}
