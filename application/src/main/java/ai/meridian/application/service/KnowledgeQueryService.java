package ai.meridian.application.service;

import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.tenancy.KeyLimits;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Knowledge queries ({@code /v1/knowledge_bases/{name}/query}, Dify's {@code /retrieval}) with the caller's limits
 * applied as to chat: checked (role, allow-lists, values), then admitted by {@link Metering} (a request, and the tokens
 * of embedding the query), searched by {@link KnowledgeRetriever}, and recorded with those tokens in the usage ledger
 * under the embedding model and backend {@value #LEDGER_BACKEND}.
 */
public final class KnowledgeQueryService implements QueryKnowledgeUseCase {
    /** What the usage ledger names as the backend of knowledge queries. */
    public static final String LEDGER_BACKEND = "knowledge";

    private final KnowledgeRetriever retriever;
    private final Metering metering;

    /** {@code metering} may be null: then nothing is limited or recorded. */
    public KnowledgeQueryService(KnowledgeRetriever retriever, Metering metering) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.metering = metering;
    }

    @Override
    public CompletableFuture<QueriedKnowledge> query(KnowledgeQuery query) {
        if (metering == null || query.keyId().isEmpty()) {
            return retriever.query(query).thenApply(matches -> new QueriedKnowledge(matches, RateLimitStatus.NONE));
        }
        try {
            RuntimeException wrong = retriever.check(query);
            if (wrong != null) {
                return CompletableFuture.failedFuture(wrong);
            }
            KeyLimits limits = query.access().limits();
            // At most a thousand characters are embedded: counting them is cheap enough for the caller's thread.
            int tokens = retriever.queryTokens(query.text());
            String model = retriever.queryModel(query.text());
            return metering.admit(query.tenant(), query.keyId(), limits, tokens)
                    .thenCompose(status -> retriever.query(query).thenApply(matches -> {
                        metering.record(query.tenant(), query.keyId(), limits, model, LEDGER_BACKEND, new TokenUsage(tokens, 0));
                        return new QueriedKnowledge(matches, status);
                    }));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
