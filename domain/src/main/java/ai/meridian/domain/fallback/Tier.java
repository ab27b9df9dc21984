package ai.meridian.domain.fallback;

import ai.meridian.domain.routing.TierRouting;
import java.util.Objects;

/** One step of a fallback plan: how to route within it and how often to retry there. */
public record Tier(TierRouting routing, RetryPolicy retry) {

    public Tier {
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(retry, "retry");
    }
}
