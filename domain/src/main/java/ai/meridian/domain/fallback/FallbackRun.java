package ai.meridian.domain.fallback;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.routing.RoutingDecision;
import ai.meridian.domain.routing.RoutingInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One request's walk through a {@link FallbackPlan}: a state machine that, told how each attempt
 * failed, says whether to retry the same route after a backoff, move to the next tier, answer
 * statically, or give up with the error the client should see. Not thread-safe; one per request.
 */
public final class FallbackRun {
    private final FallbackPlan plan;
    private final RoutingInput input;
    private final RandomGenerator random;
    private final List<Failure> failures = new ArrayList<>();
    private Step.Attempt current;

    public FallbackRun(FallbackPlan plan, RoutingInput input, RandomGenerator random) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.input = Objects.requireNonNull(input, "input");
        this.random = Objects.requireNonNull(random, "random");
    }

    public Step start() {
        if (current != null || !failures.isEmpty()) {
            throw new IllegalStateException("run already started");
        }
        return enterTier(0);
    }

    /** Records the failure of the current attempt and decides the next step. */
    public Step onFailure(Failure failure) {
        Objects.requireNonNull(failure, "failure");
        if (current == null) {
            throw new IllegalStateException("no attempt is running");
        }
        failures.add(failure);
        if (!failure.kind().movesOn()) {
            current = null;
            return new Step.GiveUp(clientError(failure));
        }
        Tier tier = plan.tiers().get(current.tier());
        Optional<Duration> delay = tier.retry().delayBefore(current.attempt() + 1, failure, random);
        if (delay.isPresent()) {
            current = new Step.Attempt(current.tier(), current.route(), current.attempt() + 1, delay.get(), "retry");
            return current;
        }
        return enterTier(current.tier() + 1);
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    private Step enterTier(int index) {
        if (index < plan.tiers().size()) {
            RoutingDecision decision = plan.tiers().get(index).routing().choose(input, random);
            current = new Step.Attempt(index, decision.route(), 1, Duration.ZERO, decision.reason());
            return current;
        }
        current = null;
        if (plan.staticAnswer().isPresent()) {
            return new Step.StaticAnswer(plan.staticTierNumber(), plan.staticAnswer().get());
        }
        return new Step.GiveUp(exhausted());
    }

    private static GatewayError clientError(Failure failure) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, "The model backend rejected the request: " + failure.message(),
                null, "upstream_invalid_request", null);
    }

    /** The error for a plan with no tier left, chosen from what went wrong. */
    private GatewayError exhausted() {
        if (failures.isEmpty()) {
            return GatewayError.of(ErrorKind.UNAVAILABLE, "No backend is available for model " + input.modelId());
        }
        String summary = "All backends for model " + input.modelId() + " failed; last: " + failures.get(failures.size() - 1).message();
        boolean allRateLimited = failures.stream().allMatch(f -> f.kind() == FailureKind.RATE_LIMITED);
        if (allRateLimited) {
            Duration retryAfter = failures.stream().map(Failure::retryAfter).flatMap(Optional::stream)
                    .min(Duration::compareTo).orElse(Duration.ofSeconds(1));
            return new GatewayError(ErrorKind.RATE_LIMITED, summary, null, null, retryAfter);
        }
        if (failures.stream().allMatch(f -> f.kind() == FailureKind.CIRCUIT_OPEN)) {
            return new GatewayError(ErrorKind.UNAVAILABLE, summary, null, null, Duration.ofSeconds(1));
        }
        FailureKind last = failures.get(failures.size() - 1).kind();
        return GatewayError.of(last == FailureKind.TIMEOUT ? ErrorKind.TIMEOUT : ErrorKind.BAD_GATEWAY, summary);
    }
}
