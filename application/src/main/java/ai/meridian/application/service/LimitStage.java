package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
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
 * Limits, budgets and usage around the model call, for every door alike. Before it: {@link Admission} (a 429
 * before any backend is called when a limit or budget would be exceeded); after it, with the usage the answer
 * really had (streams and cut streams included): the tokens are charged to the key's limits and added to the
 * usage ledger and the per-tenant metrics. An answer from the response cache counts as a request (it took one from
 * the requests-per-minute bucket at admission, which comes before the cache lookup) but as zero tokens: its ledger line
 * is under backend {@code cache}. Recording never delays or fails the answer.
 */
public final class LimitStage implements ChatStage {
    private static final System.Logger LOG = System.getLogger(LimitStage.class.getName());

    private final Admission admission;
    private final UsageLedger ledger;
    private final GatewayMetrics metrics;
    private final TokenCounter tokens;
    private final Clock clock;

    public LimitStage(Admission admission, UsageLedger ledger, GatewayMetrics metrics, TokenCounter tokens, Clock clock) {
        this.admission = Objects.requireNonNull(admission, "admission");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        CallerContext caller = context.command().caller();
        KeyLimits limits = caller.access().limits();
        if (!limits.any()) {
            return CompletableFuture.completedFuture(context);
        }
        long estimate = limits.countsTokens() ? tokens.countMessages(context.messages()) : 0;
        return admission.admit(caller.keyId(), limits, estimate, clock.instant())
                .handle((status, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                        if (cause instanceof GatewayException refused) {
                            metrics.rateLimited(caller.tenant(), refused.error().code());
                            context.span().set("meridian.rate_limited", refused.error().code());
                        }
                        throw error instanceof CompletionException c ? c : new CompletionException(error);
                    }
                    return context.withRateLimit(status);
                });
    }

    @Override
    public CompletableFuture<Void> record(ChatContext context, TurnOutcome outcome) {
        try {
            CallerContext caller = context.command().caller();
            // An answer replayed from the response cache cost no upstream tokens: the ledger and the limits count none.
            TokenUsage usage = outcome.fromCache() ? TokenUsage.ZERO : outcome.usage();
            Instant now = clock.instant();
            String backend = outcome.servedBy() == null ? "none" : outcome.servedBy().backend();
            String model = context.model().id();
            ledger.record(new UsageRecord(LocalDate.ofInstant(now, ZoneOffset.UTC), caller.tenant(), caller.keyId(), model, backend, 1,
                    usage.promptTokens(), usage.completionTokens(), usage.cachedPromptTokens()));
            metrics.tenantUsage(caller.tenant(), model, usage.promptTokens(), usage.completionTokens(), usage.cachedPromptTokens());
            KeyLimits limits = caller.access().limits();
            if (limits.countsTokens() && usage.totalTokens() > 0) {
                admission.charge(caller.keyId(), limits, usage.totalTokens(), now).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.log(Level.DEBUG, "could not charge {0} tokens to key {1}: {2}", usage.totalTokens(), caller.keyId(), error.getMessage());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record usage: " + e.getMessage(), e);
        }
        return CompletableFuture.completedFuture(null);
    }
}
