package ai.meridian.application.service;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.RateLimiterPort.BucketSpec;
import ai.meridian.application.port.out.RateLimiterPort.BucketState;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.RateLimitStatus;
import ai.meridian.domain.tenancy.RateLimitStatus.Window;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A key's limits as policy, the same for every door: admission before any backend is called, charging after
 * the answer with the tokens it really cost. Admission checks, in order, the tokens-per-minute bucket and the
 * daily and monthly budgets (nothing taken: tokens are only known afterwards; the request's estimated prompt
 * tokens must fit), then takes one request from the requests-per-minute bucket. A refusal is a 429 with
 * {@code Retry-After} and where the key stands ({@link RateLimitStatus}), for the door to write as headers.
 */
public final class Admission {
    static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration DAY_TTL = Duration.ofDays(2);
    private static final Duration MONTH_TTL = Duration.ofDays(32);

    private final RateLimiterPort limiter;

    public Admission(RateLimiterPort limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
    }

    static BucketSpec requests(String keyId, long perMinute) {
        return new BucketSpec("rpm:" + keyId + ":" + perMinute, perMinute, MINUTE);
    }

    static BucketSpec tokens(String keyId, long perMinute) {
        return new BucketSpec("tpm:" + keyId + ":" + perMinute, perMinute, MINUTE);
    }

    static String dayCounter(String keyId, LocalDate day) {
        return "tokens-day:" + keyId + ":" + day;
    }

    static String monthCounter(String keyId, YearMonth month) {
        return "tokens-month:" + keyId + ":" + month;
    }

    /** Admits the request or fails with a 429; the status says where the key stands afterwards. */
    public CompletableFuture<RateLimitStatus> admit(String keyId, KeyLimits limits, long estimatedTokens, Instant now) {
        if (!limits.any()) {
            return CompletableFuture.completedFuture(RateLimitStatus.NONE);
        }
        CompletableFuture<Optional<BucketState>> tokenCheck = limits.tokensPerMinute() == null
                ? CompletableFuture.completedFuture(Optional.empty())
                : limiter.peek(tokens(keyId, limits.tokensPerMinute()), Math.max(1, Math.min(estimatedTokens, limits.tokensPerMinute())))
                        .thenApply(Optional::of);
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        boolean budgets = limits.dailyTokens() != null || limits.monthlyTokens() != null;
        CompletableFuture<List<Long>> spent = budgets
                ? limiter.counters(List.of(dayCounter(keyId, day), monthCounter(keyId, YearMonth.from(day))))
                : CompletableFuture.completedFuture(List.of(0L, 0L));
        return tokenCheck.thenCombine(spent, (tpm, used) -> {
            Optional<Window> tokenWindow = tpm.map(state -> new Window(limits.tokensPerMinute(), state.remaining(), state.untilFull()));
            if (tpm.isPresent() && (!tpm.get().taken() || tpm.get().remaining() <= 0)) {
                throw refused("Rate limit reached for tokens per minute (limit " + limits.tokensPerMinute() + ").",
                        "rate_limit_exceeded", tpm.get().untilAvailable(), new RateLimitStatus(Optional.empty(), tokenWindow));
            }
            checkBudget(limits.dailyTokens(), used.get(0), estimatedTokens, "daily", untilNextDay(now), tokenWindow);
            checkBudget(limits.monthlyTokens(), used.get(1), estimatedTokens, "monthly", untilNextMonth(now), tokenWindow);
            return tokenWindow;
        }).thenCompose(tokenWindow -> {
            if (limits.requestsPerMinute() == null) {
                return CompletableFuture.completedFuture(new RateLimitStatus(Optional.empty(), tokenWindow));
            }
            return limiter.tryTake(requests(keyId, limits.requestsPerMinute()), 1).thenApply(state -> {
                RateLimitStatus status = new RateLimitStatus(
                        Optional.of(new Window(limits.requestsPerMinute(), state.remaining(), state.untilFull())), tokenWindow);
                if (!state.taken()) {
                    throw refused("Rate limit reached for requests per minute (limit " + limits.requestsPerMinute() + ").",
                            "rate_limit_exceeded", state.untilAvailable(), status);
                }
                return status;
            });
        });
    }

    private static void checkBudget(Long budget, long used, long estimate, String which, Duration untilReset, Optional<Window> tokenWindow) {
        if (budget != null && used + Math.max(estimate, 1) > budget) {
            throw refused("This key's " + which + " token budget (" + budget + ") is spent (" + used + " used).",
                    "insufficient_quota", untilReset, new RateLimitStatus(Optional.empty(), tokenWindow));
        }
    }

    private static GatewayException refused(String message, String code, Duration retryAfter, RateLimitStatus status) {
        Duration wait = retryAfter.isZero() ? Duration.ofSeconds(1) : retryAfter;
        return new GatewayException(new GatewayError(ErrorKind.RATE_LIMITED, message, null, code, wait, status));
    }

    static Duration untilNextDay(Instant now) {
        LocalDate tomorrow = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1);
        return Duration.between(now, tomorrow.atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    static Duration untilNextMonth(Instant now) {
        YearMonth next = YearMonth.from(LocalDate.ofInstant(now, ZoneOffset.UTC)).plusMonths(1);
        return Duration.between(now, next.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    /** Charges the tokens an answer cost to the per-minute bucket and the budgets. */
    public CompletableFuture<Void> charge(String keyId, KeyLimits limits, long tokens, Instant now) {
        if (tokens <= 0 || !limits.countsTokens()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> charges = new ArrayList<>(3);
        if (limits.tokensPerMinute() != null) {
            charges.add(limiter.charge(tokens(keyId, limits.tokensPerMinute()), tokens));
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (limits.dailyTokens() != null) {
            charges.add(limiter.add(dayCounter(keyId, day), tokens, DAY_TTL));
        }
        if (limits.monthlyTokens() != null) {
            charges.add(limiter.add(monthCounter(keyId, YearMonth.from(day)), tokens, MONTH_TTL));
        }
        return CompletableFuture.allOf(charges.toArray(CompletableFuture[]::new));
    }

    /**
     * Seeds the budget counters of every key with a budget from the usage ledger (where the counters do not exist):
     * at start-up, and when shared counters come back empty after an outage.
     */
    public CompletableFuture<Void> seedFromLedger(java.util.Collection<ai.meridian.domain.tenancy.ApiKey> keys,
                                                  ai.meridian.application.port.out.UsageLedgerStore ledger, Instant now) {
        List<ai.meridian.domain.tenancy.ApiKey> budgeted = keys.stream()
                .filter(k -> k.limits().dailyTokens() != null || k.limits().monthlyTokens() != null).toList();
        if (budgeted.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        return ledger.spentSince(day, day.withDayOfMonth(1)).thenCompose(spent -> CompletableFuture.allOf(budgeted.stream()
                .filter(k -> spent.containsKey(k.id()))
                .map(k -> seedBudgets(k.id(), k.limits(), spent.get(k.id()).day(), spent.get(k.id()).month(), now))
                .toArray(CompletableFuture[]::new)));
    }

    /** Seeds the budget counters of a key from the ledger (only where the counters do not exist yet). */
    public CompletableFuture<Void> seedBudgets(String keyId, KeyLimits limits, long spentToday, long spentThisMonth, Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        List<CompletableFuture<?>> seeds = new ArrayList<>(2);
        if (limits.dailyTokens() != null && spentToday > 0) {
            seeds.add(limiter.seed(dayCounter(keyId, day), spentToday, DAY_TTL));
        }
        if (limits.monthlyTokens() != null && spentThisMonth > 0) {
            seeds.add(limiter.seed(monthCounter(keyId, YearMonth.from(day)), spentThisMonth, MONTH_TTL));
        }
        return CompletableFuture.allOf(seeds.toArray(CompletableFuture[]::new));
    }
}
