package ai.meridian.domain.fallback;

import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.routing.Route;
import java.time.Duration;
import java.util.Objects;

/** What a fallback run says to do next. */
public sealed interface Step {

    /** Call {@code route}'s backend after {@code delay}; {@code tier} 0 is the primary. */
    record Attempt(int tier, Route route, int attempt, Duration delay, String reason) implements Step {
        public Attempt {
            Objects.requireNonNull(route, "route");
            if (tier < 0 || attempt < 1 || delay.isNegative()) {
                throw new IllegalArgumentException("invalid attempt");
            }
        }
    }

    /** Answer with the configured static text. */
    record StaticAnswer(int tier, String text) implements Step {
        public StaticAnswer {
            Objects.requireNonNull(text, "text");
        }
    }

    /** Stop and tell the client this. */
    record GiveUp(GatewayError error) implements Step {
        public GiveUp {
            Objects.requireNonNull(error, "error");
        }
    }
}
