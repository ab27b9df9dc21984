package ai.meridian.domain.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(350), Duration.ofSeconds(3));
    private final SplittableRandom random = new SplittableRandom(11);

    @Test
    void backoffIsFullJitterUnderAnExponentialCeiling() {
        Failure boom = Failure.of(FailureKind.SERVER_ERROR, "500");
        long[] ceilings = {0, 0, 100, 200, 350, 350};
        for (int attempt = 2; attempt <= 5; attempt++) {
            long max = 0;
            long min = Long.MAX_VALUE;
            for (int i = 0; i < 2000; i++) {
                long ms = policy.delayBefore(attempt, boom, random).orElseThrow().toMillis();
                max = Math.max(max, ms);
                min = Math.min(min, ms);
            }
            assertThat(max).as("attempt %d ceiling", attempt).isLessThanOrEqualTo(ceilings[attempt]).isGreaterThan(ceilings[attempt] * 9 / 10);
            assertThat(min).as("full jitter reaches down to zero").isLessThan(ceilings[attempt] / 10 + 1);
        }
    }

    @Test
    void noRetryBeyondMaxAttempts() {
        assertThat(policy.delayBefore(6, Failure.of(FailureKind.TIMEOUT, "t"), random)).isEmpty();
    }

    @Test
    void retryAfterIsHonouredUpToTheCap() {
        Failure soon = Failure.ofStatus(429, "slow down", Duration.ofSeconds(2));
        Failure late = Failure.ofStatus(429, "slow down", Duration.ofSeconds(30));
        assertThat(policy.delayBefore(2, soon, random)).contains(Duration.ofSeconds(2));
        assertThat(policy.delayBefore(2, late, random)).as("over the cap: move on, do not wait").isEmpty();
    }

    @Test
    void failuresThatAreNotRetriedMoveOnAtOnce() {
        assertThat(policy.delayBefore(2, Failure.of(FailureKind.CIRCUIT_OPEN, "open"), random)).isEmpty();
        assertThat(policy.delayBefore(2, Failure.ofStatus(401, "bad key", null), random)).isEmpty();
        assertThat(policy.delayBefore(2, Failure.ofStatus(400, "bad request", null), random)).isEmpty();
    }

    @Test
    void statusesAreClassifiedExplicitly() {
        assertThat(FailureKind.ofHttpStatus(500)).isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(FailureKind.ofHttpStatus(503)).isEqualTo(FailureKind.SERVER_ERROR);
        assertThat(FailureKind.ofHttpStatus(429)).isEqualTo(FailureKind.RATE_LIMITED);
        assertThat(FailureKind.ofHttpStatus(408)).isEqualTo(FailureKind.TIMEOUT);
        assertThat(FailureKind.ofHttpStatus(400)).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(FailureKind.ofHttpStatus(422)).isEqualTo(FailureKind.CLIENT_ERROR);
        assertThat(FailureKind.ofHttpStatus(401)).isEqualTo(FailureKind.BACKEND_REJECTED);
        assertThat(FailureKind.CLIENT_ERROR.movesOn()).isFalse();
        assertThat(FailureKind.SERVER_ERROR.movesOn()).isTrue();
        assertThat(Failure.ofStatus(503, null, null).retryAfter()).isEqualTo(Optional.empty());
    }
}
