package ai.meridian.domain.fallback;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.routing.RoutingDecision;
import ai.meridian.domain.routing.Shortfall;
import ai.meridian.domain.routing.TierRouting;
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
    /** The backend each attempted failure came from, in order (tiers skipped unattempted have none). */
    private final List<String> failedBackends = new ArrayList<>();
    private final List<Shortfall> shortfalls = new ArrayList<>();
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
        failedBackends.add(current.route().backend());
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
        for (int tier = index; tier < plan.tiers().size(); tier++) {
            TierRouting routing = plan.tiers().get(tier).routing();
            Optional<RoutingDecision> decision = routing.choose(input, random);
            if (decision.isPresent()) {
                current = new Step.Attempt(tier, decision.get().route(), 1, Duration.ZERO, decision.get().reason());
                return current;
            }
            // No route of this tier can serve the request: skipped without an attempt, remembered for the error.
            Shortfall why = routing.shortfall(input).orElse(new Shortfall(null, "no route of tier " + tier + " can serve this request"));
            shortfalls.add(why);
            failures.add(Failure.of(FailureKind.UNSUPPORTED, why.reason()));
            failedBackends.add(null);
        }
        current = null;
        if (!failures.isEmpty() && failures.stream().allMatch(f -> f.kind() == FailureKind.UNSUPPORTED)) {
            return new Step.GiveUp(unservable());
        }
        if (plan.staticAnswer().isPresent()) {
            return new Step.StaticAnswer(plan.staticTierNumber(), plan.staticAnswer().get());
        }
        return new Step.GiveUp(exhausted());
    }

    /** No route of any tier can serve what the request needs: the client's to change, so a 400 naming the field. */
    private GatewayError unservable() {
        Shortfall first = shortfalls.get(0);
        StringBuilder message = new StringBuilder("No backend of model '").append(input.modelId()).append("' can serve this request: ");
        message.append(shortfalls.stream().map(Shortfall::reason).distinct().collect(java.util.stream.Collectors.joining("; ")));
        message.append('.');
        return new GatewayError(ErrorKind.INVALID_REQUEST, message.toString(), first.param(), "unsupported_for_model", null);
    }

    /**
     * The upstream said the request is invalid: its own words are what the client needs to fix it (a context
     * length, a parameter's range), so they are passed on, unlike a failing backend's.
     */
    private static GatewayError clientError(Failure failure) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, "The model backend rejected the request: " + failure.message(),
                null, "upstream_invalid_request", null);
    }

    /** The error for a plan with no tier left, chosen from what went wrong. */
    private GatewayError exhausted() {
        if (failures.isEmpty()) {
            return GatewayError.of(ErrorKind.UNAVAILABLE, "No backend is available for model " + input.modelId());
        }
        List<Failure> attempted = failures.stream().filter(f -> f.kind() != FailureKind.UNSUPPORTED).toList();
        int lastAttempt = failures.lastIndexOf(attempted.get(attempted.size() - 1));
        String summary = "Every backend of model '" + input.modelId() + "' failed (" + attempted.size()
                + (attempted.size() == 1 ? " attempt" : " attempts") + "); the last, backend '" + failedBackends.get(lastAttempt) + "', "
                + attempted.get(attempted.size() - 1).summary() + ".";
        boolean allRateLimited = attempted.stream().allMatch(f -> f.kind() == FailureKind.RATE_LIMITED);
        if (allRateLimited) {
            Duration retryAfter = attempted.stream().map(Failure::retryAfter).flatMap(Optional::stream)
                    .min(Duration::compareTo).orElse(Duration.ofSeconds(1));
            return new GatewayError(ErrorKind.RATE_LIMITED, summary, null, null, retryAfter);
        }
        if (attempted.stream().allMatch(f -> f.kind() == FailureKind.CIRCUIT_OPEN)) {
            return new GatewayError(ErrorKind.UNAVAILABLE, summary, null, null, Duration.ofSeconds(1));
        }
        FailureKind last = attempted.get(attempted.size() - 1).kind();
        return GatewayError.of(last == FailureKind.TIMEOUT ? ErrorKind.TIMEOUT : ErrorKind.BAD_GATEWAY, summary);
    }
}
