package ai.meridian.application.service;

import ai.meridian.application.port.in.QueryKnowledgeUseCase;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.retrieval.GroundingSettings;
import ai.meridian.domain.retrieval.Passage;
import ai.meridian.domain.retrieval.PassageKind;
import ai.meridian.domain.retrieval.RankedList;
import ai.meridian.domain.retrieval.ReciprocalRankFusion;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hybrid search over a tenant's knowledge bases: keyword (BM25) and vector search run in parallel, each
 * with its own timeout, and are fused by reciprocal rank. A retriever that fails or is too slow is left out
 * and named in {@link Result#unavailable()}, so callers can answer from the other one and say so.
 */
public final class KnowledgeRetriever implements QueryKnowledgeUseCase {
    private final KnowledgeBaseStore store;
    private final KnowledgeIndexPort index;
    private final EmbedTextPort embeddings;
    private final RetrievalSettings settings;
    private final ReciprocalRankFusion fusion = new ReciprocalRankFusion();

    public KnowledgeRetriever(KnowledgeBaseStore store, KnowledgeIndexPort index, EmbedTextPort embeddings, RetrievalSettings settings) {
        this.store = store;
        this.index = index;
        this.embeddings = embeddings;
        this.settings = settings;
    }

    /** Ranked lists (keyword, vector) and what could not be searched. */
    public record Result(List<RankedList> lists, List<String> unavailable) {
    }

    /**
     * The knowledge bases a request names, checked to exist for this tenant ({@code *}: all of them). An
     * unknown name is the client's mistake: a 404 naming it.
     */
    public CompletableFuture<List<String>> resolve(String tenant, List<String> names) {
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        return store.listBases(tenant).thenApply(bases -> {
            Set<String> existing = new LinkedHashSet<>();
            bases.stream().map(KnowledgeBase::name).forEach(existing::add);
            if (names.contains(GroundingSettings.ALL_KNOWLEDGE_BASES)) {
                return List.copyOf(existing);
            }
            for (String name : names) {
                if (!existing.contains(name)) {
                    throw new GatewayException(new GatewayError(ErrorKind.NOT_FOUND,
                            "The knowledge base '" + name + "' does not exist.", "knowledge_bases", "not_found", null));
                }
            }
            return List.copyOf(names);
        });
    }

    /** Keyword and vector candidates from the (already resolved) knowledge bases. */
    /** The longest query {@link #query} takes; longer ones are refused. */
    static final int MAX_QUERY_CHARS = 4000;
    /** How much of a query {@link #search} reads: a question's first thousand characters say what it is about. */
    static final int SEARCHED_QUERY_CHARS = 1000;

    public CompletableFuture<Result> search(String tenant, List<String> knowledgeBases, String query, int candidates) {
        if (knowledgeBases.isEmpty()) {
            return CompletableFuture.completedFuture(new Result(List.of(), List.of()));
        }
        // A question's first characters say what it is about; analysing 70,000 of them (Chinese segmentation is
        // slow) held the search threads past every other query's timeout.
        query = query.length() > SEARCHED_QUERY_CHARS ? query.substring(0, SEARCHED_QUERY_CHARS) : query;
        long timeout = settings.knowledgeTimeout().toMillis();
        CompletableFuture<List<IndexHit>> keyword = index.keywordSearch(tenant, knowledgeBases, query, candidates)
                .orTimeout(timeout, TimeUnit.MILLISECONDS);
        CompletableFuture<List<IndexHit>> vector = embeddings.embed(List.of(query), EmbeddingUse.QUERY)
                .thenCompose(vectors -> index.vectorSearch(tenant, knowledgeBases, vectors.get(0), candidates))
                .orTimeout(timeout, TimeUnit.MILLISECONDS);
        return keyword.handle((hits, error) -> new Outcome("keyword search", hits, error))
                .thenCombine(vector.handle((hits, error) -> new Outcome("vector search", hits, error)), (k, v) -> {
                    List<RankedList> lists = new ArrayList<>(2);
                    List<String> unavailable = new ArrayList<>(2);
                    k.addTo(lists, unavailable, settings.keywordWeight());
                    v.addTo(lists, unavailable, settings.vectorWeight());
                    return new Result(lists, unavailable);
                });
    }

    private record Outcome(String name, List<IndexHit> hits, Throwable error) {
        void addTo(List<RankedList> lists, List<String> unavailable, double weight) {
            if (error != null) {
                unavailable.add(name + " (" + reason(error) + ")");
            } else if (!hits.isEmpty()) {
                lists.add(new RankedList(name, weight, hits.stream().map(KnowledgeRetriever::passage).toList()));
            }
        }
    }

    static Passage passage(IndexHit hit) {
        String url = hit.url().isEmpty() ? "kb://" + hit.knowledgeBase() + "/" + hit.documentId() : hit.url();
        return new Passage(hit.chunkId(), PassageKind.KNOWLEDGE_BASE, hit.knowledgeBase(), hit.title(), url, hit.text(), "", hit.score());
    }

    static String reason(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof TimeoutException) {
            return "timed out";
        }
        if (cause instanceof RetrievalUnavailableException unavailable) {
            return unavailable.source() + ": " + unavailable.getMessage();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    @Override
    public CompletableFuture<List<Passage>> query(String tenant, List<String> knowledgeBases, String query, int topK, double minScore) {
        if (query == null || query.isBlank()) {
            return CompletableFuture.failedFuture(GatewayException.invalid("query", "query must not be empty"));
        }
        if (query.length() > MAX_QUERY_CHARS) {
            return CompletableFuture.failedFuture(GatewayException.invalid("query", "query is longer than " + MAX_QUERY_CHARS + " characters"));
        }
        if (topK < 1 || topK > 100) {
            return CompletableFuture.failedFuture(GatewayException.invalid("top_k", "top_k must be between 1 and 100"));
        }
        return resolve(tenant, knowledgeBases)
                .thenCompose(bases -> search(tenant, bases, query, Math.max(topK, settings.knowledgeCandidates())))
                .thenApply(result -> {
                    if (result.lists().isEmpty() && !result.unavailable().isEmpty()) {
                        throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                                "Knowledge search is unavailable: " + String.join("; ", result.unavailable()), null, null, java.time.Duration.ofSeconds(1)));
                    }
                    double best = (settings.keywordWeight() + settings.vectorWeight()) / (fusion.k() + 1);
                    return fusion.fuse(result.lists()).stream()
                            .map(p -> p.withScore(Math.min(1.0, p.score() / best)))
                            .filter(p -> p.score() >= minScore)
                            .limit(topK)
                            .toList();
                });
    }
}
