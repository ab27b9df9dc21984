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
    private final long windowNanos;
    /** Charges waiting for the next batch, by bucket or counter name (only with a batch window). */
    private final java.util.concurrent.ConcurrentHashMap<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();
    /** Recent reads of token buckets and budget counters, reused within the batch window. */
    private final java.util.concurrent.ConcurrentHashMap<String, Read<?>> reads = new java.util.concurrent.ConcurrentHashMap<>();

    public Admission(RateLimiterPort limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.windowNanos = 0;
    }

    /**
     * With a batch window (for a limiter that costs a round trip per call, such as Redis): charges are added up in
     * memory and sent once per window, and reads of token buckets and budget counters are reused within it. Requests
     * per minute are still taken one by one, so they stay exact across replicas; tokens and budgets see each other's
     * charges within the window.
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

    private record Read<T>(CompletableFuture<T> value, long atNanos) {
    }

    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> cached(String key, java.util.function.Supplier<CompletableFuture<T>> read) {
        if (windowNanos <= 0) {
            return read.get();
        }
        long now = System.nanoTime();
        Read<?> known = reads.get(key);
        if (known != null && now - known.atNanos < windowNanos && !known.value.isCompletedExceptionally()) {
            return (CompletableFuture<T>) known.value;
        }
        if (reads.size() > 10_000) {
            reads.clear();
        }
        CompletableFuture<T> fresh = read.get();
        reads.put(key, new Read<>(fresh, now));
        return fresh;
    }

    /** What this replica charged to a bucket or counter and has not sent yet. */
    private long unsent(String name) {
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
                : peekTokens(keyId, limits, estimatedTokens).thenApply(Optional::of);
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        boolean budgets = limits.dailyTokens() != null || limits.monthlyTokens() != null;
        List<String> counters = List.of(dayCounter(keyId, day), monthCounter(keyId, YearMonth.from(day)));
        CompletableFuture<List<Long>> spent = budgets
                ? cached(String.join("|", counters), () -> limiter.counters(counters))
                        .thenApply(used -> List.of(used.get(0) + unsent(counters.get(0)), used.get(1) + unsent(counters.get(1))))
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

    private CompletableFuture<BucketState> peekTokens(String keyId, KeyLimits limits, long estimatedTokens) {
        BucketSpec bucket = tokens(keyId, limits.tokensPerMinute());
        long wanted = Math.max(1, Math.min(estimatedTokens, limits.tokensPerMinute()));
        if (windowNanos <= 0) {
            return limiter.peek(bucket, wanted);
        }
        // Within the window the last reading stands; whether this request fits is judged against what it said remains.
        return cached(bucket.name(), () -> limiter.peek(bucket, 1)).thenApply(state -> {
            long remaining = state.remaining() - unsent(bucket.name());
            return new BucketState(remaining >= wanted, remaining, remaining >= wanted ? Duration.ZERO : state.untilFull(), state.untilFull());
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
