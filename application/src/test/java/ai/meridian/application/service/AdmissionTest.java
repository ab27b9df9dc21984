package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The limits as policy: what admission refuses, what a refusal tells the client, what charging counts. */
class AdmissionTest {
    private final TenancyTest.MutableClock clock = new TenancyTest.MutableClock(Instant.parse("2026-11-27T23:59:00Z"));
    private final FixedWindowLimiter limiter = new FixedWindowLimiter(clock);
    private final Admission admission = new Admission(limiter);

    private static GatewayException refusal(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get();
        } catch (ExecutionException e) {
            return (GatewayException) e.getCause();
        }
        throw new AssertionError("admitted");
    }

    @Test
    void requestsPerMinuteAdmitExactlyTheLimitThenA429WithRetryAfterAndWhereTheKeyStands() throws Exception {
        KeyLimits limits = new KeyLimits(3L, null, null, null);
        for (int i = 3; i >= 1; i--) {
            RateLimitStatus status = admission.admit("k1", limits, 0, clock.instant()).get();
            assertThat(status.requests().orElseThrow().limit()).isEqualTo(3);
            assertThat(status.requests().orElseThrow().remaining()).isEqualTo(i - 1);
        }
        clock.advance(Duration.ofSeconds(20));
        GatewayException refused = refusal(admission.admit("k1", limits, 0, clock.instant()));
        assertThat(refused.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
        assertThat(refused.error().code()).isEqualTo("rate_limit_exceeded");
        assertThat(refused.error().retryAfter()).isEqualTo(Duration.ofSeconds(40));
        assertThat(refused.error().rateLimit().requests().orElseThrow().remaining()).isZero();
        assertThat(admission.admit("k2", limits, 0, clock.instant()).get().requests()).as("keys are counted apart").isPresent();
        clock.advance(Duration.ofSeconds(40));
        assertThat(admission.admit("k1", limits, 0, clock.instant()).get().requests().orElseThrow().remaining()).isEqualTo(2);
    }

    @Test
    void tokensAreChargedAfterTheAnswerAndAnExhaustedTokenLimitRefusesTheNextRequestBeforeAnyBackend() throws Exception {
        KeyLimits limits = new KeyLimits(null, 100L, null, null);
        assertThat(admission.admit("t", limits, 30, clock.instant()).get().tokens().orElseThrow().remaining()).isEqualTo(100);
        admission.charge("t", limits, 90, clock.instant()).get();
        assertThat(admission.admit("t", limits, 5, clock.instant()).get().tokens().orElseThrow().remaining()).isEqualTo(10);
        GatewayException refused = refusal(admission.admit("t", limits, 30, clock.instant()));
        assertThat(refused.error().message()).contains("tokens per minute");
        admission.charge("t", limits, 50, clock.instant()).get(); // a stream longer than expected: the bucket goes into debt
        assertThat(refusal(admission.admit("t", limits, 1, clock.instant())).error().rateLimit().tokens().orElseThrow().remaining()).isZero();
    }

    @Test
    void budgetsAreCalendarDaysAndMonthsAndARequestThatWouldExceedOneIsRefused() throws Exception {
        KeyLimits limits = new KeyLimits(null, null, 1000L, 1500L);
        admission.charge("b", limits, 900, clock.instant()).get();
        assertThat(admission.admit("b", limits, 100, clock.instant()).get()).isNotNull();
        GatewayException refused = refusal(admission.admit("b", limits, 101, clock.instant()));
        assertThat(refused.error().code()).isEqualTo("insufficient_quota");
        assertThat(refused.error().retryAfter()).as("until midnight UTC").isEqualTo(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2)); // a new day, and a new month too (30 November → ... no: 28 November)
        assertThat(admission.admit("b", limits, 500, clock.instant()).get()).isNotNull();
        admission.charge("b", limits, 500, clock.instant()).get();
        GatewayException monthly = refusal(admission.admit("b", limits, 200, clock.instant()));
        assertThat(monthly.error().message()).contains("monthly");
    }

    @Test
    void budgetsAreSeededFromTheLedgerOnlyWhereTheCounterIsMissing() throws Exception {
        KeyLimits limits = new KeyLimits(null, null, 1000L, null);
        admission.seedBudgets("s", limits, 950, 950, clock.instant()).get();
        assertThat(refusal(admission.admit("s", limits, 100, clock.instant())).error().code()).isEqualTo("insufficient_quota");
        admission.seedBudgets("s", limits, 10, 10, clock.instant()).get();
        assertThat(refusal(admission.admit("s", limits, 100, clock.instant())).error().code()).as("not overwritten").isEqualTo("insufficient_quota");
    }

    @Test
    void whenTheSharedLimiterFailsTheLocalOneAnswersAtOnceAndTheProbeBringsTheSharedOneBack() throws Exception {
        FixedWindowLimiter shared = new FixedWindowLimiter(clock);
        FixedWindowLimiter local = new FixedWindowLimiter(clock);
        AtomicInteger recovered = new AtomicInteger();
        FailoverRateLimiter failover = new FailoverRateLimiter(shared, local, Duration.ofMillis(200), recovered::incrementAndGet);
        Admission both = new Admission(failover);
        KeyLimits limits = new KeyLimits(2L, null, null, null);
        both.admit("f", limits, 0, clock.instant()).get();
        assertThat(failover.shared()).isTrue();
        shared.down = true;
        assertThat(both.admit("f", limits, 0, clock.instant()).get()).as("answered locally, not failed").isNotNull();
        assertThat(failover.shared()).isFalse();
        both.admit("f", limits, 0, clock.instant()).get();
        assertThat(failover.probeOnce().get()).isFalse();
        shared.down = false;
        assertThat(failover.probeOnce().get()).isTrue();
        assertThat(failover.shared()).isTrue();
        assertThat(recovered.get()).isEqualTo(1);
        both.admit("f", limits, 0, clock.instant()).get(); // the shared bucket had one taken before the outage
        assertThat(refusal(both.admit("f", limits, 0, clock.instant())).error().kind()).as("shared counts again").isEqualTo(ErrorKind.RATE_LIMITED);
    }

    @Test
    void withABatchWindowChargesAreSentOncePerWindowAndEachRequestIsOneAdmission() throws Exception {
        java.util.concurrent.ScheduledExecutorService scheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            Admission batched = new Admission(limiter, scheduler, Duration.ofHours(1)); // flushed by hand below
            KeyLimits limits = new KeyLimits(3L, 100L, 1000L, null);
            batched.admit("w", limits, 10, clock.instant()).get();
            int admissions = limiter.admissions;
            batched.admit("w", limits, 10, clock.instant()).get();
            assertThat(limiter.admissions - admissions).as("one decision over every limit of the key").isEqualTo(1);
            int calls = limiter.calls;
            for (int i = 0; i < 5; i++) {
                batched.charge("w", limits, 20, clock.instant()).get();
            }
            assertThat(limiter.calls - calls).as("charges wait for the batch").isZero();
            assertThat(refusal(batched.admit("w", limits, 10, clock.instant())).error().message())
                    .as("this replica's unsent charges count at once").contains("tokens per minute");
            batched.flush();
            assertThat(limiter.peek(Admission.tokens("w", 100), 1).get().remaining()).isZero();
            assertThat(limiter.counters(List.of(Admission.dayCounter("w", java.time.LocalDate.of(2026, 11, 27)))).get()).containsExactly(100L);
            KeyLimits requestsOnly = new KeyLimits(2L, null, null, null);
            batched.admit("r", requestsOnly, 0, clock.instant()).get();
            batched.admit("r", requestsOnly, 0, clock.instant()).get();
            assertThat(refusal(batched.admit("r", requestsOnly, 0, clock.instant())).error().code()).isEqualTo("rate_limit_exceeded");
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aKeyWithoutLimitsCostsNoCounting() throws Exception {
        assertThat(admission.admit("free", KeyLimits.NONE, 10, clock.instant()).get().isEmpty()).isTrue();
        admission.charge("free", KeyLimits.NONE, 10, clock.instant()).get();
        assertThat(limiter.calls).isZero();
        assertThatThrownBy(() -> new KeyLimits(0L, null, null, null)).hasMessageContaining("at least 1");
    }
}
