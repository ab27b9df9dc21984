package ai.meridian.application.port.in;

import java.util.Objects;

/** Which backend answered, at which fallback tier (0 = primary), under which upstream model name. */
public record ServedBy(String backend, int tier, String upstreamModel) {

    public static final String STATIC_BACKEND = "static";

    public ServedBy {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(upstreamModel, "upstreamModel");
        if (tier < 0) {
            throw new IllegalArgumentException("tier must not be negative");
        }
    }
}
