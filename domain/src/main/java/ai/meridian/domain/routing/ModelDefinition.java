package ai.meridian.domain.routing;

import ai.meridian.domain.fallback.FallbackPlan;
import ai.meridian.domain.retrieval.GroundingSettings;
import java.util.List;
import java.util.Objects;

/** A model the gateway offers under a public name, with its aliases, how it is served and how it is grounded. */
public record ModelDefinition(String id, List<String> aliases, FallbackPlan plan, String ownedBy, GroundingSettings grounding) {

    public ModelDefinition(String id, List<String> aliases, FallbackPlan plan, String ownedBy) {
        this(id, aliases, plan, ownedBy, GroundingSettings.NONE);
    }

    public ModelDefinition {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a model needs an id");
        }
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        Objects.requireNonNull(plan, "plan");
        ownedBy = ownedBy == null || ownedBy.isBlank() ? "meridian" : ownedBy;
        grounding = grounding == null ? GroundingSettings.NONE : grounding;
    }
}
