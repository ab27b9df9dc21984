package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.SearchWebPort;
import ai.meridian.application.port.out.retrieval.WebResult;
import ai.meridian.application.port.out.retrieval.WebSearchQuery;
import ai.meridian.domain.pii.PiiVault;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An untrusted search engine behind the PII policy: queries leave with placeholders instead of personal data. */
public final class MaskingWebSearch implements SearchWebPort {
    private final SearchWebPort engine;
    private final PiiPolicy policy;

    public MaskingWebSearch(SearchWebPort engine, PiiPolicy policy) {
        this.engine = engine;
        this.policy = policy;
    }

    @Override
    public String name() {
        return engine.name();
    }

    @Override
    public CompletableFuture<List<WebResult>> search(WebSearchQuery query) {
        String masked = policy.masker().mask(query.text(), new PiiVault());
        return engine.search(masked.equals(query.text()) ? query : new WebSearchQuery(masked, query.timeRange(), query.maxResults(), query.timeout()));
    }
}
