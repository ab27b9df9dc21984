package ai.meridian.domain.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.routing.Route;
import ai.meridian.domain.routing.Routes;
import ai.meridian.domain.routing.RoutingInput;
import ai.meridian.domain.routing.TierRouting;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FallbackRunTest {
    private static final Route PRIMARY = new Route("primary", "big", 1);
    private static final Route SECONDARY = new Route("secondary", "small", 1);
    private static final RetryPolicy TWO_TRIES = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofSeconds(1));
    private static final RoutingInput INPUT = new RoutingInput("chat", List.of(ChatMessage.user("hi")), "caller");

    private static FallbackRun run(Optional<String> staticAnswer) {
        FallbackPlan plan = new FallbackPlan(List.of(
                new Tier(TierRouting.weighted(Routes.of(PRIMARY)), TWO_TRIES),
                new Tier(TierRouting.weighted(Routes.of(SECONDARY)), RetryPolicy.NONE)), staticAnswer);
        return new FallbackRun(plan, INPUT, new SplittableRandom(1));
    }

    @Test
    void retriesThenMovesToTheNextTierThenGivesUpWithBadGateway() {
        FallbackRun run = run(Optional.empty());
        Step.Attempt first = (Step.Attempt) run.start();
        assertThat(first.tier()).isZero();
        assertThat(first.route()).isEqualTo(PRIMARY);
        assertThat(first.delay()).isZero();

        Step.Attempt retry = (Step.Attempt) run.onFailure(Failure.ofStatus(500, "boom", null));
        assertThat(retry.route()).isEqualTo(PRIMARY);
        assertThat(retry.attempt()).isEqualTo(2);
        assertThat(retry.reason()).isEqualTo("retry");

        Step.Attempt second = (Step.Attempt) run.onFailure(Failure.of(FailureKind.CONNECT, "refused"));
        assertThat(second.tier()).isEqualTo(1);
        assertThat(second.route()).isEqualTo(SECONDARY);

        Step.GiveUp giveUp = (Step.GiveUp) run.onFailure(Failure.ofStatus(502, "bad", null));
        assertThat(giveUp.error().kind()).isEqualTo(ErrorKind.BAD_GATEWAY);
        assertThat(giveUp.error().message()).contains("chat");
        assertThat(run.failures()).hasSize(3);
    }

    @Test
    void aClientErrorStopsAtOnceAsABadRequest() {
        FallbackRun run = run(Optional.of("sorry"));
        run.start();
        Step step = run.onFailure(Failure.ofStatus(400, "max_tokens too large", null));
        assertThat(step).isInstanceOf(Step.GiveUp.class);
        assertThat(((Step.GiveUp) step).error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(((Step.GiveUp) step).error().message()).contains("max_tokens too large");
    }

    @Test
    void aStaticAnswerIsTheLastResort() {
        FallbackRun run = run(Optional.of("We are busy, please try again."));
        run.start();
        run.onFailure(Failure.ofStatus(503, "busy", null));
        run.onFailure(Failure.ofStatus(503, "busy", null));
        Step step = run.onFailure(Failure.ofStatus(503, "busy", null));
        assertThat(step).isEqualTo(new Step.StaticAnswer(2, "We are busy, please try again."));
    }

    @Test
    void aTimeoutMovesOnAtOnceInsteadOfWaitingAgainOnTheSameRoute() {
        FallbackRun run = run(Optional.of("busy"));
        Step.Attempt first = (Step.Attempt) run.start();
        Step next = run.onFailure(Failure.of(FailureKind.TIMEOUT, "no first token within 60000 ms"));
        assertThat(next).isInstanceOfSatisfying(Step.Attempt.class, a -> {
            assertThat(a.tier()).as("the next tier, not a retry").isEqualTo(first.tier() + 1);
            assertThat(a.delay()).isZero();
        });
        // A quick failure is still retried on the same route.
        FallbackRun quick = run(Optional.of("busy"));
        quick.start();
        assertThat(quick.onFailure(Failure.ofStatus(502, "bad gateway", null))).isInstanceOfSatisfying(Step.Attempt.class,
                a -> assertThat(a.tier()).isZero());
    }

    @Test
    void rateLimitsEverywhereGiveA429WithRetryAfter() {
        FallbackRun run = run(Optional.empty());
        run.start();
        run.onFailure(Failure.ofStatus(429, "slow", Duration.ofSeconds(30)));
        Step step = run.onFailure(Failure.ofStatus(429, "slow", Duration.ofSeconds(7)));
        var error = ((Step.GiveUp) step).error();
        assertThat(error.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(error.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aTimeoutLastGivesAGatewayTimeout() {
        FallbackRun run = run(Optional.empty());
        run.start();
        run.onFailure(Failure.of(FailureKind.CIRCUIT_OPEN, "open"));
        Step step = run.onFailure(Failure.of(FailureKind.TIMEOUT, "slow"));
        assertThat(((Step.GiveUp) step).error().kind()).isEqualTo(ErrorKind.TIMEOUT);
    }

    @Test
    void anOpenCircuitMovesOnWithoutRetrying() {
        FallbackRun run = run(Optional.empty());
        run.start();
        Step.Attempt next = (Step.Attempt) run.onFailure(Failure.of(FailureKind.CIRCUIT_OPEN, "open"));
        assertThat(next.tier()).isEqualTo(1);
    }

    @Test
    void cannotReportAFailureWithoutAnAttempt() {
        FallbackRun run = run(Optional.empty());
        assertThatThrownBy(() -> run.onFailure(Failure.of(FailureKind.TIMEOUT, "t"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPlanNeedsATierOrAStaticAnswer() {
        assertThatThrownBy(() -> new FallbackPlan(List.of(), Optional.empty())).isInstanceOf(IllegalArgumentException.class);
        FallbackRun staticOnly = new FallbackRun(new FallbackPlan(List.of(), Optional.of("hello")), INPUT, new SplittableRandom(2));
        assertThat(staticOnly.start()).isEqualTo(new Step.StaticAnswer(0, "hello"));
    }
}
