package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.RateLimiterPort.BucketSpec;
import ai.meridian.application.port.out.RateLimiterPort.Admit;
import ai.meridian.application.port.out.RateLimiterPort.BucketState;
import ai.meridian.application.port.out.RateLimiterPort.ConditionState;
import ai.meridian.application.port.out.RateLimiterPort.HasTokens;
import ai.meridian.application.port.out.RateLimiterPort.Verdict;
import ai.meridian.application.port.out.RateLimiterPort.WithinLimit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RateLimiterPort} adapter must do: buckets that hand out exactly their capacity per period,
 * also to many concurrent callers, refill whole after the period, go into debt when charged, and counters that
 * add up, are seeded only when missing, and are independent of each other.
 */
public abstract class RateLimiterContract {

    /** The limiter under test. Names are unique per test, so one limiter may serve every test. */
    protected abstract RateLimiterPort limiter();

    private static String unique(String prefix) {
        return prefix + ":" + UUID.randomUUID();
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aBucketHandsOutExactlyItsCapacityToConcurrentCallers() throws Exception {
        BucketSpec bucket = new BucketSpec(unique("rpm"), 50, Duration.ofMinutes(1));
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                attempts.add(callers.submit(() -> get(limiter().tryTake(bucket, 1)).taken()));
            }
            int taken = 0;
            for (Future<Boolean> attempt : attempts) {
                taken += attempt.get(20, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(taken).isEqualTo(50);
        } finally {
            callers.shutdownNow();
        }
        BucketState refused = get(limiter().tryTake(bucket, 1));
        assertThat(refused.taken()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.untilAvailable()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(refused.untilFull()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aBucketIsWholeAgainAfterItsPeriod() throws Exception {
        BucketSpec bucket = new BucketSpec(unique("short"), 3, Duration.ofMillis(400));
        for (int i = 0; i < 3; i++) {
            assertThat(get(limiter().tryTake(bucket, 1)).taken()).isTrue();
        }
        assertThat(get(limiter().tryTake(bucket, 1)).taken()).isFalse();
        Thread.sleep(450);
        BucketState again = get(limiter().tryTake(bucket, 1));
        assertThat(again.taken()).isTrue();
        assertThat(again.remaining()).isEqualTo(2);
    }

    @Test
    void peekingTakesNothingAndChargingMayGoIntoDebt() throws Exception {
        BucketSpec bucket = new BucketSpec(unique("tpm"), 100, Duration.ofMinutes(1));
        BucketState fresh = get(limiter().peek(bucket, 30));
        assertThat(fresh.taken()).isTrue();
        assertThat(fresh.remaining()).isEqualTo(100);
        assertThat(get(limiter().peek(bucket, 30)).remaining()).isEqualTo(100);
        assertThat(get(limiter().charge(bucket, 70)).remaining()).isEqualTo(30);
        assertThat(get(limiter().peek(bucket, 31)).taken()).isFalse();
        assertThat(get(limiter().peek(bucket, 30)).taken()).isTrue();
        BucketState debt = get(limiter().charge(bucket, 50));
        assertThat(debt.remaining()).isEqualTo(-20);
        BucketState blocked = get(limiter().peek(bucket, 1));
        assertThat(blocked.taken()).isFalse();
        assertThat(blocked.untilAvailable()).isPositive();
    }

    @Test
    void countersAddUpAreSeededOnlyWhenMissingAndAreIndependent() throws Exception {
        String a = unique("day");
        String b = unique("month");
        assertThat(get(limiter().counters(List.of(a, b)))).containsExactly(0L, 0L);
        assertThat(get(limiter().add(a, 5, Duration.ofMinutes(5)))).isEqualTo(5);
        assertThat(get(limiter().add(a, 7, Duration.ofMinutes(5)))).isEqualTo(12);
        get(limiter().seed(a, 1000, Duration.ofMinutes(5)));
        get(limiter().seed(b, 40, Duration.ofMinutes(5)));
        assertThat(get(limiter().counters(List.of(a, b)))).containsExactly(12L, 40L);
        assertThat(get(limiter().add(b, 2, Duration.ofMinutes(5)))).isEqualTo(42);
    }

    @Test
    void aCounterExpires() throws Exception {
        String c = unique("ttl");
        get(limiter().add(c, 3, Duration.ofSeconds(1)));
        Thread.sleep(2100);
        assertThat(get(limiter().counters(List.of(c)))).containsExactly(0L);
    }

    @Test
    void anAdmissionTakesOnlyWhenEveryConditionHoldsAndSaysWhereEachStands() throws Exception {
        String key = "{" + UUID.randomUUID() + "}";
        BucketSpec tokens = new BucketSpec("tpm:" + key, 100, Duration.ofMinutes(1));
        BucketSpec requests = new BucketSpec("rpm:" + key, 3, Duration.ofMinutes(1));
        String day = "day:" + key;
        get(limiter().charge(tokens, 70));
        get(limiter().add(day, 5, Duration.ofMinutes(5)));

        Verdict admitted = get(limiter().admit(new Admit(List.of(new HasTokens(tokens, 30), new WithinLimit(day, 10, 5)), requests, 1)));
        assertThat(admitted.admitted()).isTrue();
        assertThat(admitted.failed()).isEqualTo(-1);
        assertThat(admitted.conditions()).extracting(ConditionState::holds).containsExactly(true, true);
        assertThat(admitted.conditions().get(0).bucket().remaining()).isEqualTo(30);
        assertThat(admitted.conditions().get(0).bucket().untilFull()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(admitted.conditions().get(1).counter()).isEqualTo(5);
        assertThat(admitted.taken().taken()).isTrue();
        assertThat(admitted.taken().remaining()).isEqualTo(2);

        Verdict tooManyTokens = get(limiter().admit(new Admit(List.of(new HasTokens(tokens, 31), new WithinLimit(day, 10, 5)), requests, 1)));
        assertThat(tooManyTokens.failed()).isZero();
        assertThat(tooManyTokens.conditions().get(0).holds()).isFalse();
        assertThat(tooManyTokens.conditions().get(0).bucket().untilAvailable()).isPositive();
        Verdict overBudget = get(limiter().admit(new Admit(List.of(new HasTokens(tokens, 30), new WithinLimit(day, 10, 6)), requests, 1)));
        assertThat(overBudget.failed()).isEqualTo(1);
        assertThat(overBudget.conditions().get(1).counter()).isEqualTo(5);
        assertThat(get(limiter().peek(requests, 1)).remaining()).as("a refused admission takes nothing").isEqualTo(2);

        assertThat(get(limiter().admit(new Admit(List.of(), requests, 1))).admitted()).isTrue();
        assertThat(get(limiter().admit(new Admit(List.of(), requests, 1))).admitted()).isTrue();
        Verdict noRequestLeft = get(limiter().admit(new Admit(List.of(new HasTokens(tokens, 1)), requests, 1)));
        assertThat(noRequestLeft.failed()).as("the take failed").isEqualTo(1);
        assertThat(noRequestLeft.taken().taken()).isFalse();
        assertThat(noRequestLeft.taken().remaining()).isZero();
        assertThat(noRequestLeft.taken().untilAvailable()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(get(limiter().admit(new Admit(List.of(new WithinLimit(day, 10, 1)), null, 0))).admitted())
                .as("conditions alone, nothing to take").isTrue();
    }

    @Test
    void admissionsFromConcurrentCallersTakeExactlyTheBucketsCapacity() throws Exception {
        String key = "{" + UUID.randomUUID() + "}";
        BucketSpec requests = new BucketSpec("rpm:" + key, 40, Duration.ofMinutes(1));
        BucketSpec tokens = new BucketSpec("tpm:" + key, 1000, Duration.ofMinutes(1));
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> attempts = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                attempts.add(callers.submit(() -> get(limiter().admit(new Admit(List.of(new HasTokens(tokens, 10),
                        new WithinLimit("day:" + key, 1_000_000, 10)), requests, 1))).admitted()));
            }
            int admitted = 0;
            for (Future<Boolean> attempt : attempts) {
                admitted += attempt.get(20, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(40);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void theLimiterAnswersItsProbe() throws Exception {
        assertThat(get(limiter().probe())).isTrue();
    }
}
