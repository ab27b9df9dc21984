package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.RateLimitStatus;
import ai.meridian.domain.usage.UsageRecord;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A key's limits, budgets and usage for one request, whatever the use case: chat (through {@link LimitStage}),
 * embeddings, knowledge queries. Before the work: {@link Admission} (a 429 when a limit or budget would be exceeded,
 * counted per tenant in the metrics); after it, with what the work really cost: a usage-ledger line, the per-tenant
 * metrics, and the tokens charged to the key's limits. Recording never delays or fails the answer.
 */
public final class Metering {
    private static final System.Logger LOG = System.getLogger(Metering.class.getName());

    private final Admission admission;
    private final UsageLedger ledger;
    private final GatewayMetrics metrics;
    private final Clock clock;

    public Metering(Admission admission, UsageLedger ledger, GatewayMetrics metrics, Clock clock) {
        this.admission = Objects.requireNonNull(admission, "admission");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Admits the caller's request (its prompt estimated at {@code estimatedTokens}) or fails with the 429. */
    public CompletableFuture<RateLimitStatus> admit(CallerContext caller, long estimatedTokens) {
        return admit(caller.tenant(), caller.keyId(), caller.access().limits(), estimatedTokens);
    }

    /** Admits a request of the key or fails with the 429, which is counted for the tenant. */
    public CompletableFuture<RateLimitStatus> admit(String tenant, String keyId, KeyLimits limits, long estimatedTokens) {
        if (!limits.any()) {
            return CompletableFuture.completedFuture(RateLimitStatus.NONE);
        }
        CompletableFuture<RateLimitStatus> admitted;
        try {
            admitted = admission.admit(keyId, limits, estimatedTokens, clock.instant());
        } catch (RuntimeException e) {
            admitted = CompletableFuture.failedFuture(e);
        }
        return admitted.whenComplete((status, error) -> {
            if (refusal(error) instanceof GatewayException refused) {
                metrics.rateLimited(tenant, refused.error().code());
            }
        });
    }

    /** The refusal inside a failed admission, if that is what it was. */
    static Throwable refusal(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Records what a request of the caller cost: see {@link #record(String, String, KeyLimits, String, String, TokenUsage)}. */
    public void record(CallerContext caller, String model, String backend, TokenUsage usage) {
        record(caller.tenant(), caller.keyId(), caller.access().limits(), model, backend, usage);
    }

    /**
     * Records one request: a ledger line under the public model and what served it, the tenant's metrics, and its
     * tokens charged to the key's per-minute tokens and budgets (in the background).
     */
    public void record(String tenant, String keyId, KeyLimits limits, String model, String backend, TokenUsage usage) {
        try {
            Instant now = clock.instant();
            ledger.record(new UsageRecord(LocalDate.ofInstant(now, ZoneOffset.UTC), tenant, keyId, model, backend, 1,
                    usage.promptTokens(), usage.completionTokens(), usage.cachedPromptTokens()));
            metrics.tenantUsage(tenant, model, usage.promptTokens(), usage.completionTokens(), usage.cachedPromptTokens());
            if (limits.countsTokens() && usage.totalTokens() > 0) {
                admission.charge(keyId, limits, usage.totalTokens(), now).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.log(Level.DEBUG, "could not charge {0} tokens to key {1}: {2}", usage.totalTokens(), keyId, error.getMessage());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record usage: " + e.getMessage(), e);
        }
    }
}
