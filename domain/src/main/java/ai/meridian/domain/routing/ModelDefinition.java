package ai.meridian.domain.routing;

import ai.meridian.domain.fallback.FallbackPlan;
import java.util.List;
import java.util.Objects;

/** A model the gateway offers under a public name, with its aliases and how it is served. */
public record ModelDefinition(String id, List<String> aliases, FallbackPlan plan, String ownedBy) {

    public ModelDefinition {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a model needs an id");
        }
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        Objects.requireNonNull(plan, "plan");
        ownedBy = ownedBy == null || ownedBy.isBlank() ? "meridian" : ownedBy;
    }
}
