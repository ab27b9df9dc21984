package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.tenancy.KeyLimits;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Limits, budgets and usage around the model call, for every door alike. Before it: {@link Admission} (a 429
 * before any backend is called when a limit or budget would be exceeded); after it, with the usage the answer
 * really had (streams and cut streams included): the tokens are charged to the key's limits and added to the
 * usage ledger and the per-tenant metrics. An answer from the response cache counts as a request (it took one from
 * the requests-per-minute bucket at admission, which comes before the cache lookup) but as zero tokens: its ledger line
 * is under backend {@code cache}. Recording never delays or fails the answer. The policy is {@link Metering}'s, which
 * the other use cases (embeddings, knowledge queries) apply too.
 */
public final class LimitStage implements ChatStage {
    private static final System.Logger LOG = System.getLogger(LimitStage.class.getName());

    private final Metering metering;
    private final TokenCounter tokens;

    public LimitStage(Admission admission, UsageLedger ledger, GatewayMetrics metrics, TokenCounter tokens, Clock clock) {
        this(new Metering(admission, ledger, metrics, clock), tokens);
    }

    public LimitStage(Metering metering, TokenCounter tokens) {
        this.metering = Objects.requireNonNull(metering, "metering");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
    }

    @Override
    public CompletableFuture<ChatContext> prepare(ChatContext context) {
        CallerContext caller = context.command().caller();
        KeyLimits limits = caller.access().limits();
        if (!limits.any()) {
            return CompletableFuture.completedFuture(context);
        }
        long estimate = limits.countsTokens() ? tokens.countMessages(context.messages()) : 0;
        return metering.admit(caller, estimate)
                .handle((status, error) -> {
                    if (error != null) {
                        if (Metering.refusal(error) instanceof GatewayException refused) {
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
            String backend = outcome.servedBy() == null ? "none" : outcome.servedBy().backend();
            metering.record(caller, context.model().id(), backend, usage);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record usage: " + e.getMessage(), e);
        }
        return CompletableFuture.completedFuture(null);
    }
}
