package ai.meridian.domain.fallback;

import java.util.List;
import java.util.Optional;

/**
 * The ordered tiers that serve a model, primary first, and an optional static answer as the last
 * resort once every tier has failed. {@code continueMidStream}: when a backend fails after the client has begun to
 * receive a streamed answer, the plan's next step continues it ({@link MidStreamContinuation}); off, the stream ends
 * with an error event.
 */
public record FallbackPlan(List<Tier> tiers, Optional<String> staticAnswer, boolean continueMidStream) {

    public FallbackPlan(List<Tier> tiers, Optional<String> staticAnswer) {
        this(tiers, staticAnswer, true);
    }

    public FallbackPlan {
        tiers = tiers == null ? List.of() : List.copyOf(tiers);
        staticAnswer = staticAnswer == null ? Optional.empty() : staticAnswer.filter(s -> !s.isBlank());
        if (tiers.isEmpty() && staticAnswer.isEmpty()) {
            throw new IllegalArgumentException("a fallback plan needs at least one tier or a static answer");
        }
    }

    public static FallbackPlan of(Tier... tiers) {
        return new FallbackPlan(List.of(tiers), Optional.empty());
    }

    /** The tier number a static answer is reported under: one past the last routed tier. */
    public int staticTierNumber() {
        return tiers.size();
    }
}
