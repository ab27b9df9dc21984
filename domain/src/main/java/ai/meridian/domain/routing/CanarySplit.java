package ai.meridian.domain.routing;

import java.util.Objects;

/** Sends a stable share of callers (by hash of the caller) to a new set of routes. */
public record CanarySplit(int percent, Routes routes) {

    public CanarySplit {
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("canary percent must be between 0 and 100: " + percent);
        }
        Objects.requireNonNull(routes, "routes");
    }

    /** Whether this caller of this model falls into the canary; the same caller always gets the same answer. */
    public boolean includes(String modelId, String callerKey) {
        return StableHash.bucket(modelId + '\u0000' + callerKey, 100) < percent;
    }
}
