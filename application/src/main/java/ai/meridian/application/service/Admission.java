package ai.meridian.application.service;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.RateLimiterPort.Admit;
import ai.meridian.application.port.out.RateLimiterPort.BucketSpec;
import ai.meridian.application.port.out.RateLimiterPort.BucketState;
import ai.meridian.application.port.out.RateLimiterPort.Condition;
import ai.meridian.application.port.out.RateLimiterPort.ConditionState;
import ai.meridian.application.port.out.RateLimiterPort.HasTokens;
import ai.meridian.application.port.out.RateLimiterPort.WithinLimit;
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
 * the answer with the tokens it really cost. Admission asks the limiter for one decision ({@link RateLimiterPort#admit}):
 * the tokens-per-minute bucket must hold the request's estimated prompt tokens and the daily and monthly budgets must
 * have room for them (nothing taken: tokens are only known afterwards), and then one request is taken from the
 * requests-per-minute bucket. A refusal is a 429 with {@code Retry-After} and where the key stands
 * ({@link RateLimitStatus}), for the door to write as headers.
 */
public final class Admission {
    static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Duration DAY_TTL = Duration.ofDays(2);
    private static final Duration MONTH_TTL = Duration.ofDays(32);

    private final RateLimiterPort limiter;
    private final long windowNanos;
    /** Charges waiting for the next batch, by bucket or counter name (only with a batch window). */
    private final java.util.concurrent.ConcurrentHashMap<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();

    public Admission(RateLimiterPort limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.windowNanos = 0;
    }

    /**
     * With a batch window (for a limiter that costs a round trip per call, such as Redis): charges are added up in
     * memory and sent once per window. Admission still asks the limiter for every request (one round trip), so requests
     * per minute stay exact across replicas; what this replica charged and has not sent yet counts against its own
     * admissions at once, other replicas see it within the window.
     */
    public Admission(RateLimiterPort limiter, java.util.concurrent.ScheduledExecutorService scheduler, Duration batchWindow) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.windowNanos = batchWindow.toNanos();
        if (windowNanos > 0) {
            scheduler.scheduleWithFixedDelay(this::flush, batchWindow.toMillis(), Math.max(1, batchWindow.toMillis()),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    /** A charge waiting for its batch: to a token bucket ({@code bucket}) or a budget counter ({@code ttl}). */
    private record Pending(BucketSpec bucket, Duration ttl, java.util.concurrent.atomic.LongAdder amount) {
    }

    /** What this replica charged to a bucket or counter and has not sent yet. */
    private long unsent(String name) {
        if (windowNanos <= 0) {
            return 0;
        }
        Pending p = pending.get(name);
        return p == null ? 0 : p.amount.sum();
    }

    /** Sends the charges collected since the last batch. */
    public void flush() {
        for (java.util.Map.Entry<String, Pending> e : pending.entrySet()) {
            long amount = e.getValue().amount.sumThenReset();
            if (amount == 0) {
                pending.remove(e.getKey(), e.getValue());
                continue;
            }
            Pending p = e.getValue();
            CompletableFuture<?> sent = p.bucket != null ? limiter.charge(p.bucket, amount) : limiter.add(e.getKey(), amount, p.ttl);
            sent.exceptionally(error -> null);
        }
    }

    /** The key's id as the hash tag its limits share (a shared store keeps them together and decides over them at once). */
    private static String tag(String keyId) {
        return "{" + keyId + "}";
    }

    static BucketSpec requests(String keyId, long perMinute) {
        return new BucketSpec("rpm:" + tag(keyId) + ":" + perMinute, perMinute, MINUTE);
    }

    static BucketSpec tokens(String keyId, long perMinute) {
        return new BucketSpec("tpm:" + tag(keyId) + ":" + perMinute, perMinute, MINUTE);
    }

    static String dayCounter(String keyId, LocalDate day) {
        return "tokens-day:" + tag(keyId) + ":" + day;
    }

    static String monthCounter(String keyId, YearMonth month) {
        return "tokens-month:" + tag(keyId) + ":" + month;
    }

    /** Admits the request or fails with a 429; the status says where the key stands afterwards. */
    public CompletableFuture<RateLimitStatus> admit(String keyId, KeyLimits limits, long estimatedTokens, Instant now) {
        if (!limits.any()) {
            return CompletableFuture.completedFuture(RateLimitStatus.NONE);
        }
        List<Condition> conditions = new ArrayList<>(3);
        List<String> kinds = new ArrayList<>(3);
        BucketSpec tpm = null;
        long tpmUnsent = 0;
        if (limits.tokensPerMinute() != null) {
            tpm = tokens(keyId, limits.tokensPerMinute());
            tpmUnsent = unsent(tpm.name());
            conditions.add(new HasTokens(tpm, Math.max(1, Math.min(estimatedTokens, limits.tokensPerMinute())) + tpmUnsent));
            kinds.add("tpm");
        }
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (limits.dailyTokens() != null) {
            String counter = dayCounter(keyId, day);
            conditions.add(new WithinLimit(counter, limits.dailyTokens(), Math.max(estimatedTokens, 1) + unsent(counter)));
            kinds.add("daily");
        }
        if (limits.monthlyTokens() != null) {
            String counter = monthCounter(keyId, YearMonth.from(day));
            conditions.add(new WithinLimit(counter, limits.monthlyTokens(), Math.max(estimatedTokens, 1) + unsent(counter)));
            kinds.add("monthly");
        }
        BucketSpec rpm = limits.requestsPerMinute() == null ? null : requests(keyId, limits.requestsPerMinute());
        long unsentTokens = tpmUnsent;
        return limiter.admit(new Admit(conditions, rpm, 1)).thenApply(verdict -> {
            Optional<Window> tokenWindow = Optional.empty();
            if (limits.tokensPerMinute() != null) {
                BucketState state = verdict.conditions().get(0).bucket();
                tokenWindow = Optional.of(new Window(limits.tokensPerMinute(), state.remaining() - unsentTokens, state.untilFull()));
            }
            Optional<Window> requestWindow = verdict.taken() == null ? Optional.empty()
                    : Optional.of(new Window(limits.requestsPerMinute(), verdict.taken().remaining(), verdict.taken().untilFull()));
            if (verdict.admitted()) {
                return new RateLimitStatus(requestWindow, tokenWindow);
            }
            if (verdict.failed() == conditions.size()) {
                throw refused("Rate limit reached for requests per minute (limit " + limits.requestsPerMinute() + ").",
                        "rate_limit_exceeded", verdict.taken().untilAvailable(), new RateLimitStatus(requestWindow, tokenWindow));
            }
            RateLimitStatus status = new RateLimitStatus(Optional.empty(), tokenWindow);
            ConditionState failed = verdict.conditions().get(verdict.failed());
            long used = failed.counter() + (conditions.get(verdict.failed()) instanceof WithinLimit w ? w.amount() - Math.max(estimatedTokens, 1) : 0);
            switch (kinds.get(verdict.failed())) {
                case "tpm" -> throw refused("Rate limit reached for tokens per minute (limit " + limits.tokensPerMinute() + ").",
                        "rate_limit_exceeded", failed.bucket().untilAvailable(), status);
                case "daily" -> throw budgetSpent(limits.dailyTokens(), used, "daily", untilNextDay(now), status);
                default -> throw budgetSpent(limits.monthlyTokens(), used, "monthly", untilNextMonth(now), status);
            }
        });
    }

    private static GatewayException budgetSpent(long budget, long used, String which, Duration untilReset, RateLimitStatus status) {
        return refused("This key's " + which + " token budget (" + budget + ") is spent (" + used + " used).", "insufficient_quota",
                untilReset, status);
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
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (windowNanos > 0) {
            if (limits.tokensPerMinute() != null) {
                BucketSpec bucket = tokens(keyId, limits.tokensPerMinute());
                pending.computeIfAbsent(bucket.name(), n -> new Pending(bucket, null, new java.util.concurrent.atomic.LongAdder())).amount.add(tokens);
            }
            if (limits.dailyTokens() != null) {
                pending.computeIfAbsent(dayCounter(keyId, day), n -> new Pending(null, DAY_TTL, new java.util.concurrent.atomic.LongAdder()))
                        .amount.add(tokens);
            }
            if (limits.monthlyTokens() != null) {
                pending.computeIfAbsent(monthCounter(keyId, YearMonth.from(day)),
                        n -> new Pending(null, MONTH_TTL, new java.util.concurrent.atomic.LongAdder())).amount.add(tokens);
            }
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<?>> charges = new ArrayList<>(3);
        if (limits.tokensPerMinute() != null) {
            charges.add(limiter.charge(tokens(keyId, limits.tokensPerMinute()), tokens));
        }
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
